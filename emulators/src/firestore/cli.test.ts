/** The `offline-emulators` command: argument parsing, firebase.json defaults, and `exec`. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, main, parseArgs } from '../cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('offline-emulators CLI', () => {
  it('parses flags', () => {
    const o = parseArgs([
      'exec',
      '--only',
      'firestore',
      '--firestore-port=0',
      '--project',
      'p',
      '--',
      'echo',
      'hi',
    ]);
    expect(o).toMatchObject({
      command: 'exec',
      only: ['firestore'],
      firestorePort: 0,
      project: 'p',
      execCommand: ['echo', 'hi'],
    });
    expect(() => parseArgs(['start', '--only', 'database'])).toThrow(/unknown emulator/);
    expect(() => parseArgs(['start', '--firestore-port', 'x'])).toThrow(/invalid port/);
    expect(() => parseArgs(['launch'])).toThrow(/usage/);
    expect(
      parseArgs([
        'start',
        '--allow-origin',
        'https://a.test, https://b.test',
        '--allow-origin=null',
        '--allow-host',
        'fs',
      ]),
    ).toMatchObject({ allowOrigins: ['https://a.test', 'https://b.test', 'null'], allowHosts: ['fs'] });
  });

  it(
    'allows the origins of --allow-origin and EMULATOR_ALLOWED_ORIGINS, and no others',
    { timeout: 30_000 },
    async () => {
      const out = join(await mkdtemp(join(tmpdir(), 'cli-origins-')), 'out.txt');
      dirs.push(join(out, '..'));
      const script = `
      const statuses = [];
      for (const origin of ['https://flag.test', 'https://env.test', 'https://other.test']) {
        const r = await fetch('http://' + process.env.FIRESTORE_EMULATOR_HOST + '/', { method: 'OPTIONS', headers: { origin } });
        statuses.push(r.status);
      }
      require('node:fs').writeFileSync(${JSON.stringify(out)}, statuses.join(' '));
    `;
      const saved = process.env['EMULATOR_ALLOWED_ORIGINS'];
      process.env['EMULATOR_ALLOWED_ORIGINS'] = 'https://env.test';
      try {
        const code = await main([
          'exec',
          '--only',
          'firestore',
          '--firestore-port',
          '0',
          '--allow-origin',
          'https://flag.test',
          '--',
          process.execPath,
          '-e',
          `(async()=>{${script}})()`,
        ]);
        expect(code).toBe(0);
      } finally {
        if (saved === undefined) delete process.env['EMULATOR_ALLOWED_ORIGINS'];
        else process.env['EMULATOR_ALLOWED_ORIGINS'] = saved;
      }
      expect(await readFile(out, 'utf8')).toBe('204 204 403');
    },
  );

  it('reads ports, rules and the default project from firebase.json and .firebaserc', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-cfg-'));
    dirs.push(root);
    await writeFile(
      join(root, 'firebase.json'),
      JSON.stringify({
        firestore: { rules: 'fs.rules' },
        emulators: { firestore: { port: 9000 }, storage: { port: 9001 } },
      }),
    );
    await writeFile(join(root, '.firebaserc'), JSON.stringify({ projects: { default: 'demo-cfg' } }));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
    const cfg = loadProjectConfig(join(root, 'sub', 'deeper'));
    expect(cfg.project).toBe('demo-cfg');
    expect(cfg.firestore.port).toBe(9000);
    expect(cfg.storage.port).toBe(9001);
    expect(cfg.firestore.rules).toBe(join(root, 'fs.rules'));
    expect(cfg.functions).toEqual({ host: '127.0.0.1', port: 5001 });
  });

  it(
    'exec runs the command against a started emulator and returns its exit code',
    { timeout: 30_000 },
    async () => {
      const out = join(await mkdtemp(join(tmpdir(), 'cli-exec-')), 'out.txt');
      dirs.push(join(out, '..'));
      const script = `
      const host = process.env.FIRESTORE_EMULATOR_HOST;
      const r = await fetch('http://' + host + '/');
      require('node:fs').writeFileSync(${JSON.stringify(out)}, host + ' ' + r.status);
      process.exit(7);
    `;
      const code = await main([
        'exec',
        '--only',
        'firestore',
        '--firestore-port',
        '0',
        '--',
        process.execPath,
        '-e',
        `(async()=>{${script}})()`,
      ]);
      expect(code).toBe(7);
      expect(await readFile(out, 'utf8')).toMatch(/^127\.0\.0\.1:\d+ 200$/);
    },
  );
});

describe('offline-emulators with a port in use', () => {
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
  const freePort = async () => {
    const s = await listen(0);
    const port = (s.address() as { port: number }).port;
    await close(s);
    return port;
  };

  it('fails with the address in use and leaves the other port closed', async () => {
    const busy = await listen(0);
    const busyPort = (busy.address() as { port: number }).port;
    try {
      for (const [firestorePort, storagePort] of [
        [await freePort(), busyPort],
        [busyPort, await freePort()],
      ]) {
        await expect(
          main([
            'start',
            '--only',
            'firestore,storage',
            '--firestore-port',
            String(firestorePort),
            '--storage-port',
            String(storagePort),
          ]),
        ).rejects.toThrow(new RegExp(`EADDRINUSE.*:${busyPort}`));
        // Whichever port did open was closed again.
        const other = firestorePort === busyPort ? storagePort! : firestorePort!;
        await close(await listen(other));
      }
    } finally {
      await close(busy);
    }
  });
});

describe('offline-emulators start as a process', () => {
  const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
  const startCli = (args: string[]) => {
    const code = `import(${JSON.stringify(CLI)}).then((m) => m.main(${JSON.stringify(args)})).then((c) => { process.exitCode = c; })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /firestore ready at (http:\/\/[^\s]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (c) => reject(new Error(`exited early with ${c}: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    return { child, url, exited };
  };

  it('exports on SIGINT, exits 0, and imports the export again', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-export-'));
    dirs.push(dir);
    const first = startCli([
      'start',
      '--only',
      'firestore',
      '--firestore-port',
      '0',
      '--project',
      'demo-cli',
      '--export-on-exit',
      dir,
    ]);
    const base = await first.url;
    const name = 'projects/demo-cli/databases/(default)/documents/kept/doc';
    const w = await fetch(`${base}/v1/projects/demo-cli/databases/(default)/documents:commit`, {
      method: 'POST',
      headers: { authorization: 'Bearer owner' },
      body: JSON.stringify({ writes: [{ update: { name, fields: { v: { integerValue: '7' } } } }] }),
    });
    expect(w.status).toBe(200);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    const meta = JSON.parse(await readFile(join(dir, 'firestore', 'metadata.json'), 'utf8')) as {
      databases: { documents: number }[];
    };
    expect(meta.databases[0]?.documents).toBe(1);

    const second = startCli([
      'start',
      '--only',
      'firestore',
      '--firestore-port',
      '0',
      '--project',
      'demo-cli',
      '--import',
      dir,
    ]);
    const base2 = await second.url;
    const r = await fetch(`${base2}/v1/${name}`, { headers: { authorization: 'Bearer owner' } });
    expect(((await r.json()) as { fields: unknown }).fields).toEqual({ v: { integerValue: '7' } });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
