/**
 * Shared shape of benchmark results. Every `bench/*.bench.ts` script prints one JSON line
 * `{"results":[...]}` as its last stdout line; `bench/run.ts` collects them into one table.
 */
export interface BenchResult {
  /** What is measured, e.g. "rules: decisions/s, one-line rule". */
  name: string;
  /** How it is measured, one sentence. */
  method: string;
  unit: string;
  /** One figure per run; the table shows median and spread. */
  samples: number[];
  /** Budget from the issue; omitted when only reported. */
  budget?: number;
  /** Whether a larger figure is better (throughput) or worse (latency, memory). */
  better: 'higher' | 'lower';
  /** Comparable figure of the official tool or a peer, when one exists. */
  anchor?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function withinBudget(r: BenchResult): boolean {
  if (r.budget === undefined) return true;
  const m = median(r.samples);
  return r.better === 'higher' ? m >= r.budget : m <= r.budget;
}

/** Print results in the format bench/run.ts reads. */
export function report(results: BenchResult[]): void {
  console.log(JSON.stringify({ results }));
}
