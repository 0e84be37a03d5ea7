import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './disposition.js';

// RFC 6266 §4.3 / RFC 8187 §3.2: the quoted ASCII fallback first, then filename* in UTF-8.
describe('attachmentDisposition', () => {
  it('always says attachment, with both name forms', () => {
    expect(attachmentDisposition('Résumé "final".pdf')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    expect(attachmentDisposition(null)).toBe('attachment');
  });

  it("escapes the characters RFC 8187's attr-char leaves out", () => {
    expect(attachmentDisposition("it's (1).txt")).toBe(
      `attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`,
    );
  });
});
