/**
 * Keeps the CLI process small. V8 grows the young generation up to 2 x 16 MiB under sustained
 * allocation and never gives it back (Node sends no idle notifications), and old-space garbage left
 * by a burst stays resident until the next full GC. So we (1) stop young-generation growth
 * (`--semi-space-growth-factor=1`, read by V8 at each resize, so it works at run time - unlike
 * `--max-semi-space-size`), costing roughly a quarter more server CPU per write, and (2) run two
 * full collections, one second apart, once requests have stopped for a second.
 * Used by the CLI process only, since it changes V8 flags for the whole process.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function startIdleGc(activity: () => number): () => void {
  setFlagsFromString('--expose-gc');
  setFlagsFromString('--semi-space-growth-factor=1');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') return () => {};
  let seen = activity();
  let idleTicks = 0;
  let pending = 0;
  const timer = setInterval(() => {
    const now = activity();
    if (now !== seen) {
      seen = now;
      idleTicks = 0;
      pending = 2;
      return;
    }
    idleTicks++;
    if (pending > 0 && idleTicks >= 2) {
      gc();
      pending--;
      idleTicks = 0;
    }
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}
