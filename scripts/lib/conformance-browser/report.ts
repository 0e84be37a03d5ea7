/** Per-file counts, the failures and the closing `N passed, N failed` line of one cache mode. */
import type { FileResult } from './types.js';

export interface Failure {
  file: string;
  title: string;
  error: string;
}

export interface ModeSummary {
  passed: number;
  failed: number;
  skipped: number;
  multiTabCaches: number;
  longPollingFirestores: number;
  rows: { file: string; passed: number; failed: number; skipped: number; note: string }[];
  failures: Failure[];
}

/**
 * A file that timed out or did not load counts as one failure beside its failed tests, as the Node
 * runner counts a file without a report.
 */
export function summarize(results: FileResult[], fileTimeoutMs: number): ModeSummary {
  const summary: ModeSummary = {
    passed: 0,
    failed: 0,
    skipped: 0,
    multiTabCaches: 0,
    longPollingFirestores: 0,
    rows: [],
    failures: [],
  };
  for (const r of results) {
    const count = (state: string): number => r.tests.filter((t) => t.state === state).length;
    let failed = count('failed');
    const notes: string[] = [];
    for (const t of r.tests) {
      if (t.state === 'failed') summary.failures.push({ file: r.file, title: t.title, error: t.error ?? '' });
    }
    if (r.loadError !== undefined) {
      failed += 1;
      notes.push('DID NOT LOAD');
      summary.failures.push({ file: r.file, title: '(whole file)', error: r.loadError });
    }
    if (r.timedOut) {
      failed += 1;
      notes.push(`TIMED OUT after ${Math.round(fileTimeoutMs / 1000)} s`);
      summary.failures.push({
        file: r.file,
        title: '(whole file)',
        error: `did not finish within ${Math.round(fileTimeoutMs / 1000)} s`,
      });
    }
    const row = {
      file: r.file,
      passed: count('passed'),
      failed,
      skipped: count('pending'),
      note: notes.join(', '),
    };
    summary.rows.push(row);
    summary.passed += row.passed;
    summary.failed += row.failed;
    summary.skipped += row.skipped;
    summary.multiTabCaches += r.multiTabCaches;
    summary.longPollingFirestores += r.longPollingFirestores;
  }
  // Passing IndexedDB suites without a multi-tab cache would mean the mode silently did not apply.
  const persistent = results.length > 0 && results.every((r) => r.mode === 'persistent');
  if (persistent && summary.passed > 0 && summary.multiTabCaches === 0) {
    summary.failed += 1;
    summary.failures.push({
      file: '(all files)',
      title: '(persistent mode)',
      error: 'no Firestore instance got persistentMultipleTabManager()',
    });
  }
  return summary;
}

export function formatSummary(title: string, s: ModeSummary): string {
  const width = Math.max(4, ...s.rows.map((r) => r.file.length));
  const lines = [`\n== ${title}`, `${'file'.padEnd(width)}  passed  failed  skipped`];
  for (const r of s.rows) {
    const counts = `${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`;
    lines.push(`${r.file.padEnd(width)}  ${counts}${r.note ? `  ${r.note}` : ''}`);
  }
  if (s.failures.length > 0) {
    lines.push('', 'Failures:');
    for (const f of s.failures) {
      lines.push(`- [${f.file}] ${f.title}`, `    ${f.error.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
  lines.push('', `(skipped = it.skip / skipEmulator / enterprise-only tests: ${s.skipped})`);
  if (s.multiTabCaches > 0) {
    lines.push(
      `(persistentLocalCache with persistentMultipleTabManager: ${s.multiTabCaches} Firestore instances)`,
    );
  }
  if (s.longPollingFirestores > 0) {
    lines.push(`(experimentalForceLongPolling: ${s.longPollingFirestores} Firestore instances)`);
  }
  lines.push(`${title}: ${s.passed} passed, ${s.failed} failed`);
  return lines.join('\n');
}
