/**
 * `Content-Disposition: attachment` with the name in both forms of RFC 6266: an ASCII fallback
 * and the exact UTF-8 name in `filename*` (RFC 8187), so no browser ever opens the file inline.
 */
export function attachmentDisposition(fileName: string | null): string {
  if (!fileName) return 'attachment';
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
