/**
 * Timestamps as canonical RFC 3339 strings (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`), the form the lite SDK
 * parses (`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`, wire-protocols §A.1) and whose string order
 * equals time order.
 */
import { invalid } from './errors.js';

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

// Timestamps mostly repeat a few seconds (commit times, a batch's values): Date#toISOString is the
// costly part, so its output is kept per second.
const prefixes = new Map<number, string>();

export function formatTimestamp(seconds: number, nanos: number): string {
  if (!Number.isFinite(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw invalid(`Timestamp seconds out of range: ${seconds}`);
  }
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw invalid(`Invalid nanos: ${nanos}`);
  let prefix = prefixes.get(seconds);
  if (prefix === undefined) {
    if (prefixes.size >= 256) prefixes.clear();
    prefix = new Date(seconds * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
    prefixes.set(seconds, prefix);
  }
  return `${prefix}.${String(nanos).padStart(9, '0')}Z`;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

export function parseTimestamp(s: string): string {
  const m = RFC3339.exec(s);
  if (!m) throw invalid(`Invalid timestamp: ${JSON.stringify(s).slice(0, 80)}`);
  const ms = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  if (Number.isNaN(ms)) throw invalid(`Invalid timestamp: ${s}`);
  const nanos = Number((m[2] ?? '').padEnd(9, '0'));
  return formatTimestamp(Math.floor(ms / 1000), nanos);
}

export function timestampToProto(s: string): { seconds: number; nanos: number } {
  const ms = Date.parse(`${s.slice(0, 19)}Z`);
  return { seconds: Math.floor(ms / 1000), nanos: Number(s.slice(20, 29)) };
}

export function timestampFromProto(t: { seconds?: string | number | null; nanos?: number | null }): string {
  return formatTimestamp(Number(t.seconds ?? 0), Number(t.nanos ?? 0));
}

export function timestampToDate(s: string): Date {
  return new Date(Date.parse(`${s.slice(0, 23)}Z`));
}

/**
 * Commit times: strictly increasing with millisecond resolution. Millisecond (not microsecond)
 * steps keep `request.time` (a JS Date in the rules engine) exactly equal to the server timestamps
 * written by the same commit, which rules such as `createdAt == request.time` rely on. Under more
 * than 1,000 commits per second the clock runs slightly ahead of wall time and catches up when idle.
 */
export class Clock {
  private lastMs = 0;
  next(): string {
    const ms = Math.max(Date.now(), this.lastMs + 1);
    this.lastMs = ms;
    return formatTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1_000_000);
  }
  /** Current time without consuming a tick (read times). */
  now(): string {
    const ms = Math.max(Date.now(), this.lastMs);
    return formatTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1_000_000);
  }
}
