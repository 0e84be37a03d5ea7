import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { ROOT } from '../../scripts/lib/project.js';

/** The development build of the web app on a free port, as `npm start` serves it. */
export async function startWebApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: ViteDevServer = await createServer({
    root: join(ROOT, 'web'),
    configFile: join(ROOT, 'web', 'vite.config.ts'),
    server: { port: 0, strictPort: false, host: '127.0.0.1' },
    logLevel: 'warn',
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('Vite did not report a local URL');
  return { url, close: () => server.close() };
}
