/**
 * The parent's side of support/admin-writer.ts: a firebase-admin client in its own process pointed
 * at `host`. A write order that fails, or a writer that dies, rejects instead of waiting forever.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { WriteOrder, WriteReport } from './admin-writer.js';

const WRITER = join(import.meta.dirname, 'admin-writer.ts');

export interface Writer {
  write: (o: WriteOrder) => Promise<WriteReport>;
  stop: () => void;
}

export async function startWriter(host: string): Promise<Writer> {
  const child: ChildProcess = fork(WRITER, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FIRESTORE_EMULATOR_HOST: host },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
  });
  return {
    write: (o) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`writer exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (r) => {
          child.off('exit', onExit);
          const report = r as WriteReport | { error: string };
          if ('error' in report) reject(new Error(`writer: ${report.error}`));
          else resolve(report);
        });
        child.send(o);
      }),
    stop: () => child.kill(),
  };
}
