// `npm start`: build, start the local backend, serve the web app with Vite, stop all on Ctrl-C.
import { join } from 'node:path';
import { createServer } from 'vite';
import { startBackend } from './lib/backend.js';
import { buildBackend } from './lib/build.js';
import { startProcess, stopProcess } from './lib/processes.js';
import { ROOT } from './lib/project.js';
import { seedDemoData } from './seed.js';

console.log('Building functions and emulators…');
await buildBackend();

console.log('Starting the local backend (first start takes a few seconds)…');
const backend = await startBackend({ quiet: process.env.BACKEND_LOGS === '0' });

// --- premium: demo data (scripts/seed.ts); a failed seed leaves the app usable, just empty ---
const seed = await seedDemoData(backend.env, backend.projectId).catch((error: unknown) => ({
  lines: [`Demo data: seeding failed (${String(error)}).`],
}));

// Recompile functions on change; the Functions emulator reloads them from functions/lib.
const functionsWatch = startProcess(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'functions/tsconfig.build.json',
    '--watch',
    '--preserveWatchOutput',
  ],
  { label: 'tsc', cwd: ROOT, quiet: true },
);

const vite = await createServer({ root: join(ROOT, 'web'), configFile: join(ROOT, 'web', 'vite.config.ts') });
await vite.listen();
const appUrl = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
const { host, auth, functions, firestore, storage } = backend.ports;

console.log(`
Member Portal is running.
  App                 ${appUrl}
  Auth emulator       http://${host}:${auth}
  Functions emulator  http://${host}:${functions}
${backend.env.FIRESTORE_EMULATOR_HOST ? `  Firestore emulator  http://${host}:${firestore}\n  Storage emulator    http://${host}:${storage}\n` : ''}
${seed.lines.join('\n')}

Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await Promise.allSettled([vite.close(), stopProcess(functionsWatch), backend.stop()]);
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
