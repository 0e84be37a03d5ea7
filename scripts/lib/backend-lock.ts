import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The local backend uses the fixed ports of firebase.json, so two runs on one machine (say
// `npm test` in two clones) must take turns rather than fail on a busy port.
const LOCK = join(tmpdir(), 'member-portal-backend.lock');

function holder(): number | null {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function acquireBackendLock(timeoutMs = 15 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      const onExit = (): void => {
        if (holder() === process.pid) rmSync(LOCK, { recursive: true, force: true });
      };
      process.once('exit', onExit);
      // A process that starts the backend many times (the stack bench) must not pile up listeners.
      return () => {
        process.off('exit', onExit);
        onExit();
      };
    } catch {
      const pid = holder();
      if (pid !== null && !alive(pid)) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Another local backend (pid ${pid}) kept running too long.`);
      if (!announced) {
        console.log(`Waiting for another local backend (pid ${pid ?? '?'}) to stop…`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
