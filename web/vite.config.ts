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
  return {
    server: { port: 5173, strictPort: true, host: '127.0.0.1' },
    preview: { port: 4173, strictPort: true, host: '127.0.0.1' },
    build: { target: 'es2022', sourcemap: true },
  };
});
