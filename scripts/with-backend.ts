// Usage: tsx scripts/with-backend.ts -- <command> [args…]
// Starts the local backend, runs the command against it, stops everything, exits with the command's code.
import { startBackend } from './lib/backend.js';
import { runCommand } from './lib/processes.js';

const separator = process.argv.indexOf('--');
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (!command) {
  console.error('usage: tsx scripts/with-backend.ts -- <command> [args…]');
  process.exit(2);
}

const backend = await startBackend({ quiet: process.env.BACKEND_LOGS !== '1' });
let code = 1;
try {
  code = await runCommand(command, args, backend.env);
} finally {
  await backend.stop();
}
process.exit(code);
