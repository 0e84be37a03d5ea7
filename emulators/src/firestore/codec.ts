/**
 * How a transport hands values to the protocol-neutral core. REST and gRPC decode messages into the
 * same JSON-like request shapes; only leaf encodings differ (a REST timestamp is a string, a gRPC
 * one `{seconds,nanos}`; REST enums may be names or numbers), so the core takes a codec.
 */
import type { Fields, Value } from './values.js';

export interface Codec {
  value(raw: unknown): Value;
  fields(raw: unknown): Fields;
  timestamp(raw: unknown): string;
}

/** Resolves a proto enum given by name or number (gax sends numbers, see wire-protocols §A.3). */
export function enumName(raw: unknown, names: readonly string[]): string | undefined {
  if (typeof raw === 'number') return names[raw];
  if (typeof raw === 'string') {
    if (/^\d+$/.test(raw)) return names[Number(raw)];
    return raw;
  }
  return undefined;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
