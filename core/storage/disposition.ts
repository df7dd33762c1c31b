/**
 * `Content-Disposition: attachment` naming the file (RFC 6266): an ASCII fallback for old clients and the
 * UTF-8 name in `filename*`. Downloads are always attachments, so a stored HTML or SVG file never renders as a
 * page of Heimdall's origin.
 */
export function attachment(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
