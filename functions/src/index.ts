import { initializeApp } from 'firebase-admin/app';

initializeApp();

export { whoami } from './callables/whoami.js';
export { exportMyData } from './callables/exportMyData.js';
export { deleteMyAccount } from './callables/deleteMyAccount.js';
export { intakeUpload } from './triggers/intake-upload.js';
// --- premium: access codes, grants, staff tools ---
export { redeemAccessCode } from './callables/redeemAccessCode.js';
export { grantPremium } from './callables/grantPremium.js';
export { revokePremium } from './callables/revokePremium.js';
export { createAccessCodes } from './callables/createAccessCodes.js';
// --- files: premium library bytes and message attachments, checked per request ---
export { downloadFile } from './http/downloadFile.js';
export { libraryTokensOnMetadata, libraryTokensOnWrite } from './triggers/library-tokens.js';
