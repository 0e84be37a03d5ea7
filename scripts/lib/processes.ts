import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { createConnection } from 'node:net';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Prefix for each output line, so interleaved logs stay readable. */
  label?: string;
  /** Called with every output line (after printing it unless quiet). */
  onLine?: (line: string) => void;
  quiet?: boolean;
}

/**
 * Starts a long-running child in its own process group, so stopping it also stops
 * whatever it spawned (the Firebase CLI starts several node processes).
 */
export function startProcess(command: string, args: string[], options: RunOptions = {}): ChildProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  };
  const child = spawn(command, args, spawnOptions);
  const forward = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream): void => {
    if (!stream) return;
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        options.onLine?.(line);
        if (!options.quiet) out.write(options.label ? `[${options.label}] ${line}\n` : `${line}\n`);
      }
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return child;
}

/**
 * Asks the whole process group to stop, asks again after `againMs`, then insists after `graceMs`.
 * The second SIGINT is firebase-tools' "Ctrl-C twice": on the first it waits up to a minute for
 * functions still running (say, intake triggers of files the seed just uploaded) before it exits.
 */
export async function stopProcess(child: ChildProcess, graceMs = 10_000, againMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup('SIGINT');
  const again = setTimeout(() => signalGroup('SIGINT'), againMs);
  const insist = setTimeout(() => signalGroup('SIGKILL'), graceMs);
  await exited;
  clearTimeout(again);
  clearTimeout(insist);
  // Grandchildren may outlive the leader; make sure none keep the ports.
  signalGroup('SIGKILL');
}

/** Runs a command to completion with inherited output; resolves with its exit code. */
export function runCommand(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Like runCommand, output shown as it comes, and also answers the last `keep` lines of it, so a
 * failed step's reason can be repeated beside the summary (CI logs are often read from the end).
 */
export function runCommandKeepingTail(
  command: string,
  args: string[],
  keep: number,
): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): void => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        out.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        tail.push(...lines);
        if (tail.length > keep) tail.splice(0, tail.length - keep);
      });
      stream.on('end', () => {
        if (partial) tail.push(partial);
      });
    };
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), tail: tail.slice(-keep) }),
    );
  });
}

export function isPortOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
