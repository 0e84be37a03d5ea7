import { initializeApp } from 'firebase-admin/app';

initializeApp();

export { whoami } from './callables/whoami.js';
export { intakeUpload } from './triggers/intake-upload.js';
