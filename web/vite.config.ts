import { defineConfig, loadEnv } from 'vite';

// Production builds talk to a real project, so its config must come from the environment;
// failing the build beats shipping a bundle that points nowhere.
const REQUIRED_IN_PRODUCTION = ['VITE_FIREBASE_API_KEY', 'VITE_FIREBASE_PROJECT_ID', 'VITE_FIREBASE_APP_ID'];

export default defineConfig(({ command, mode }) => {
  if (command === 'build') {
    const env = loadEnv(mode, process.cwd(), 'VITE_');
    const missing = REQUIRED_IN_PRODUCTION.filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new Error(`Production build needs ${missing.join(', ')} (see README "Deploying").`);
    }
  }
  // Checked downloads go to the downloadFile function on the app's own origin: a Hosting rewrite
  // in production (firebase.json), this proxy to the Functions emulator in development.
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  const functions = `http://${env.VITE_EMULATOR_HOST || '127.0.0.1'}:${env.VITE_FUNCTIONS_EMULATOR_PORT || 5001}`;
  const functionPath = `/${env.VITE_FIREBASE_PROJECT_ID || 'demo-member-portal'}/${env.VITE_FUNCTIONS_REGION || 'us-central1'}/downloadFile`;
  const proxy = {
    '/api/download': {
      target: functions,
      rewrite: (path: string) => path.replace(/^\/api\/download/, functionPath),
    },
  };
  return {
    server: { port: 5173, strictPort: true, host: '127.0.0.1', proxy },
    preview: { port: 4173, strictPort: true, host: '127.0.0.1' },
    build: { target: 'es2022', sourcemap: true },
  };
});
