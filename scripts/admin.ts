// `npm run admin -- grant-staff <email>` / `revoke-staff <email>` [--emulators]
// Sets or clears the staff claim with firebase-admin.
// `npm run admin -- remove-download-tokens` [--emulators]
// Revokes every download token under content/premium/ and uploads/ (issue 15).
// Targets the local emulators (project demo-member-portal) unless GOOGLE_APPLICATION_CREDENTIALS
// is set and no emulator is asked for.
import { applicationDefault, deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import { markClaimsChanged } from '../functions/src/account/claims-changed.js';
import { sweepDownloadTokens } from '../functions/src/files/download-tokens.js';
import { chooseTarget, parseAdminArgs, staffClaims } from './lib/admin-cli.js';
import { localPorts } from './lib/project.js';

let args;
try {
  args = parseAdminArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const ports = localPorts();
const target = chooseTarget(args, process.env, {
  projectId: 'demo-member-portal',
  authHost: `${ports.host}:${ports.auth}`,
  firestoreHost: `${ports.host}:${ports.firestore}`,
});
if (target.kind === 'emulators') {
  process.env.FIREBASE_AUTH_EMULATOR_HOST = target.authHost;
  process.env.FIRESTORE_EMULATOR_HOST = target.firestoreHost;
  process.env.FIREBASE_STORAGE_EMULATOR_HOST ??= `${ports.host}:${ports.storage}`;
}
const app =
  target.kind === 'emulators'
    ? initializeApp({ projectId: target.projectId }, 'admin-cli')
    : initializeApp({ credential: applicationDefault(), projectId: target.projectId }, 'admin-cli');
const where =
  target.kind === 'emulators' ? `emulators (${target.projectId}, ${target.authHost})` : 'the project';

if (args.command === 'remove-download-tokens') {
  try {
    const projectId = target.projectId ?? app.options.projectId ?? process.env.GCLOUD_PROJECT;
    const bucket = getStorage(app).bucket(process.env.STORAGE_BUCKET ?? `${projectId}.appspot.com`);
    const changed = await sweepDownloadTokens(bucket);
    for (const name of changed) console.log(`removed the download tokens of ${name}`);
    console.log(`${changed.length} object(s) had download tokens in ${where}; none remain.`);
  } catch (error) {
    console.error(String(error));
    process.exitCode = 1;
  } finally {
    await deleteApp(app);
  }
  process.exit();
}

try {
  const auth = getAuth(app);
  const user = await auth.getUserByEmail(args.email);
  await auth.setCustomUserClaims(user.uid, staffClaims(user.customClaims, args.command));
  await markClaimsChanged(getFirestore(app), user.uid);
  if (args.command === 'revoke-staff') {
    // Current sessions can no longer refresh, so the old staff token dies within the hour.
    await auth.revokeRefreshTokens(user.uid);
  }
  await getFirestore(app)
    .collection('audit')
    .add({
      actor: 'admin-cli',
      action: args.command === 'grant-staff' ? 'staff.grant' : 'staff.revoke',
      subject: user.uid,
      details: { email: args.email },
      at: FieldValue.serverTimestamp(),
    });
  console.log(
    `${args.command === 'grant-staff' ? 'Granted' : 'Revoked'} staff for ${args.email} (${user.uid}) in ${where}.`,
  );
  if (args.command === 'grant-staff' && (user.multiFactor?.enrolledFactors.length ?? 0) === 0) {
    console.log(
      'Note: staff tools need a second-factor sign-in; this account has no second factor enrolled yet.',
    );
  }
  console.log('The change applies once the user signs in again or their ID token is refreshed.');
} catch (error) {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
  console.error(
    code === 'auth/user-not-found' ? `No user with email ${args.email} in ${where}.` : String(error),
  );
  process.exitCode = 1;
} finally {
  await deleteApp(app);
}
