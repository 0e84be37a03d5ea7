import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from './report.js';
import type { FileResult } from './types.js';

const base = {
  mode: 'memory' as const,
  timedOut: false,
  wallMs: 10,
  multiTabCaches: 0,
  longPollingFirestores: 0,
};

describe('browser conformance summary', () => {
  it('counts passed, failed and skipped tests per file and in total', () => {
    const results: FileResult[] = [
      {
        ...base,
        file: 'a.test.ts',
        tests: [
          { title: 'A one', state: 'passed' },
          { title: 'A two', state: 'failed', error: 'Error: boom' },
          { title: 'A three', state: 'pending' },
        ],
      },
      { ...base, file: 'b.test.ts', tests: [{ title: 'B one', state: 'passed' }] },
    ];
    const s = summarize(results, 150_000);
    expect([s.passed, s.failed, s.skipped]).toEqual([2, 1, 1]);
    expect(s.rows.map((r) => [r.file, r.passed, r.failed, r.skipped])).toEqual([
      ['a.test.ts', 1, 1, 1],
      ['b.test.ts', 1, 0, 0],
    ]);
    expect(s.failures).toEqual([{ file: 'a.test.ts', title: 'A two', error: 'Error: boom' }]);
  });

  it('counts a file that timed out or did not load as one more failure, keeping its finished tests', () => {
    const results: FileResult[] = [
      { ...base, file: 'slow.test.ts', timedOut: true, tests: [{ title: 'ok', state: 'passed' }] },
      { ...base, file: 'broken.test.ts', loadError: 'SyntaxError: x', tests: [] },
    ];
    const s = summarize(results, 150_000);
    expect([s.passed, s.failed]).toEqual([1, 2]);
    expect(s.rows.map((r) => r.note)).toEqual(['TIMED OUT after 150 s', 'DID NOT LOAD']);
    expect(s.failures.map((f) => f.error)).toEqual(['did not finish within 150 s', 'SyntaxError: x']);
  });

  it('fails a persistent run in which no cache got the multi-tab manager, and names the count otherwise', () => {
    const run = (multiTabCaches: number) =>
      summarize(
        [
          {
            ...base,
            mode: 'persistent',
            multiTabCaches,
            file: 'a.test.ts',
            tests: [{ title: 't', state: 'passed' }],
          },
        ],
        1000,
      );
    expect(run(0).failed).toBe(1);
    expect(run(0).failures[0]?.error).toBe('no Firestore instance got persistentMultipleTabManager()');
    expect(run(3).failed).toBe(0);
    expect(formatSummary('x', run(3))).toContain('persistentMultipleTabManager: 3 Firestore instances');
  });

  it('ends the printed summary with the "N passed, N failed" line', () => {
    const s = summarize(
      [{ ...base, file: 'a.test.ts', tests: [{ title: 't', state: 'failed', error: 'a\n  b' }] }],
      1000,
    );
    const text = formatSummary('ours, memory cache', s);
    expect(text).toContain('- [a.test.ts] t\n    a b');
    expect(text.split('\n').at(-1)).toBe('ours, memory cache: 0 passed, 1 failed');
  });
});
