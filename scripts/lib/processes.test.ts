import { describe, expect, it } from 'vitest';
import { startProcess, stopProcess } from './processes.js';

/** A child that, like firebase-tools with functions still running, ignores the first SIGINT. */
function stubbornChild(): { child: ReturnType<typeof startProcess>; lines: string[] } {
  const lines: string[] = [];
  const script = `
    let count = 0;
    process.on('SIGINT', () => {
      count++;
      console.log('SIGINT ' + count);
      if (count === 2) process.exit(0);
    });
    console.log('ready');
    setInterval(() => {}, 1000);
  `;
  const child = startProcess(process.execPath, ['-e', script], { quiet: true, onLine: (l) => lines.push(l) });
  return { child, lines };
}

async function untilLine(lines: string[], line: string): Promise<void> {
  while (!lines.includes(line)) await new Promise((r) => setTimeout(r, 10));
}

describe('stopProcess', () => {
  it('asks a second time before it kills, so firebase-tools stops without waiting for running functions', async () => {
    const { child, lines } = stubbornChild();
    await untilLine(lines, 'ready');
    await stopProcess(child, 20_000, 200);
    // Exited on its own second SIGINT (code 0), not by SIGKILL after the grace period.
    expect(child.exitCode).toBe(0);
    expect(child.signalCode).toBeNull();
    expect(lines).toEqual(['ready', 'SIGINT 1', 'SIGINT 2']);
  });

  it('kills a child that ignores every SIGINT once the grace period is over', async () => {
    const lines: string[] = [];
    const child = startProcess(
      process.execPath,
      [
        '-e',
        "process.on('SIGINT', () => console.log('ignored')); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      { quiet: true, onLine: (l) => lines.push(l) },
    );
    await untilLine(lines, 'ready');
    await stopProcess(child, 600, 200);
    expect(child.signalCode).toBe('SIGKILL');
    expect(lines.filter((l) => l === 'ignored')).toHaveLength(2);
  });
});
