import { describe, expect, it } from 'vitest';
import { runCommandKeepingTail, startProcess, stopProcess } from './processes.js';

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

describe('runCommandKeepingTail', () => {
  it('answers the exit code and the last lines across both streams, the unterminated one included', async () => {
    const script = `
      for (let i = 1; i <= 30; i++) console.log('line ' + i);
      console.error('why it failed');
      process.stdout.write('no newline');
      process.exitCode = 3;
    `;
    const { code, tail } = await runCommandKeepingTail(process.execPath, ['-e', script], 3);
    expect(code).toBe(3);
    expect(tail).toHaveLength(3);
    expect(tail).toContain('why it failed');
    expect(tail).toContain('no newline');
    expect(tail).not.toContain('line 1');
  });
});
