/** The project and documents root every case runs in (a module of its own: corpus files import it). */
export const PROJECT = 'demo-differential';
export const ROOT = `projects/${PROJECT}/databases/(default)/documents`;
