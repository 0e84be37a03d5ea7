import { localPorts, projectId } from '../../scripts/lib/project.js';

/** A GET of the downloadFile function, as the web client sends it (firebase/downloads.ts). */
export function downloadThroughFunction(
  path: string,
  idToken?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const p = localPorts();
  return fetch(
    `http://${p.host}:${p.functions}/${projectId()}/us-central1/downloadFile?path=${encodeURIComponent(path)}`,
    { headers: { ...headers, ...(idToken ? { authorization: `Bearer ${idToken}` } : {}) } },
  );
}
