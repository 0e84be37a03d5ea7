/**
 * The built command, bin/offline-emulators.cjs: one CommonJS bundle opens the ports, and each
 * emulator's load phase then imports lib/'s ES modules by paths relative to the bundle. A wrong path
 * there would only show once a request needs the load phase, so this drives both emulators over
 * REST and Firestore over gRPC (the gRPC stack is imported on the first HTTP/2 connection).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/offline-emulators.cjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../lib/offline-emulators.cjs', import.meta.url));

describe('bin/offline-emulators.cjs', () => {
  it(
    'serves Firestore (REST and gRPC) and Storage, then exits 0 on SIGINT',
    { timeout: 60_000 },
    async () => {
      expect(existsSync(BUNDLE), 'build first: npm run build -w @member-portal/emulators').toBe(true);
      const child = spawn(
        process.execPath,
        [BIN, 'start', '--project', 'demo-bin', '--firestore-port', '0', '--storage-port', '0'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      try {
        const urls = await new Promise<{ firestore: string; storage: string }>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const f = /firestore ready at (http:\/\/\S+)/.exec(out);
            const s = /storage ready at (http:\/\/\S+)/.exec(out);
            if (f && s) resolve({ firestore: f[1]!, storage: s[1]! });
          });
          child.once('exit', (c) => reject(new Error(`exited early with ${c}: ${out}`)));
        });

        const name = 'projects/demo-bin/databases/(default)/documents/notes/n1';
        const commit = await fetch(
          `${urls.firestore}/v1/projects/demo-bin/databases/(default)/documents:commit`,
          {
            method: 'POST',
            headers: { authorization: 'Bearer owner' },
            body: JSON.stringify({
              writes: [{ update: { name, fields: { text: { stringValue: 'hello' } } } }],
            }),
          },
        );
        expect(commit.status).toBe(200);

        const app = initializeApp({ projectId: 'demo-bin' }, 'bin-test');
        try {
          const db = getFirestore(app);
          db.settings({ host: new URL(urls.firestore).host, ssl: false });
          expect((await db.doc('notes/n1').get()).get('text')).toBe('hello');
        } finally {
          await deleteApp(app);
        }

        const list = await fetch(`${urls.storage}/v0/b/demo-bin.appspot.com/o`, {
          headers: { authorization: 'Bearer owner' },
        });
        expect(list.status).toBe(200);
        expect(await list.json()).toMatchObject({ items: [] });
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
    },
  );
});
