/** The HTTP status a @google-cloud/storage error carries (404 missing, 412 precondition failed). */
export function storageStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
