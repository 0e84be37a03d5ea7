import { createHash, randomBytes } from 'node:crypto';

/**
 * Access codes are read off a screen and typed by people, so the alphabet leaves out the
 * look-alikes 0/O and 1/I. 32 symbols = 5 bits each; 12 symbols = 60 bits of randomness,
 * far beyond what 5 attempts an hour could ever guess.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 12;

/** What members may type: letters and digits, in any case, with spaces or dashes anywhere. */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]+/g, '').toUpperCase();
}

/** Codes are stored only as this hash (the document id), so a database reader learns no usable code. */
export function hashCode(code: string): string {
  return createHash('sha256').update(normalizeCode(code), 'utf8').digest('hex');
}

/** Groups of four, the way the code is shown once to staff: `ABCD-EFGH-JKLM`. */
export function formatCode(normalized: string): string {
  return normalized.match(/.{1,4}/g)?.join('-') ?? normalized;
}

/**
 * A fresh code from the CSPRNG. 256 is a multiple of 32, so taking each byte modulo the
 * alphabet size keeps every symbol equally likely.
 */
export function generateCode(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return formatCode(code);
}
