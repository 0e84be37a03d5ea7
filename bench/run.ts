// `npm run bench`: runs every bench/*.bench.ts, prints one markdown table and writes it into
// bench/README.md. A figure over its budget fails the command (never `npm test`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBackend } from '../scripts/lib/build.js';
import { type BenchResult, median, withinBudget } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

// Several benches spawn the built emulators and functions; a fresh clone has no build output.
await buildBackend();

const results: Array<BenchResult & { file: string }> = [];
const broken: string[] = [];
for (const file of files) {
  console.error(`running ${file}…`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { results: BenchResult[] };
    for (const r of parsed.results) results.push({ ...r, file });
  } catch {
    broken.push(`${file} (exit ${run.status}) printed no results`);
  }
}

const fmt = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString();
const rows = results.map((r) => {
  const m = median(r.samples);
  const spread = `${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))}`;
  const budget =
    r.budget === undefined ? 'reported' : `${r.better === 'higher' ? '≥' : '≤'} ${fmt(r.budget)}`;
  const verdict = r.budget === undefined ? '' : withinBudget(r) ? 'ok' : '**over**';
  return `| ${r.name} | ${r.method} | ${fmt(m)} ${r.unit} | ${spread} (${r.samples.length} runs) | ${budget} | ${r.anchor ?? ''} | ${verdict} |`;
});
const table = [
  '| figure | how | median | spread | budget | anchor | |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  ...broken.map((b) => `| ${b} | | | | | | **broken** |`),
].join('\n');

console.log(table);
const readme = join(here, 'README.md');
if (only.length === 0 && existsSync(readme)) {
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) {
    const stamp = `Last run: ${new Date().toISOString()} on ${process.platform}/${process.arch}, Node ${process.version}.`;
    writeFileSync(readme, `${text.slice(0, a + start.length)}\n${stamp}\n\n${table}\n${text.slice(b)}`);
  }
}
const over = results.filter((r) => !withinBudget(r));
if (over.length > 0 || broken.length > 0) {
  console.error(`\n${over.length} over budget, ${broken.length} broken`);
  process.exit(1);
}
