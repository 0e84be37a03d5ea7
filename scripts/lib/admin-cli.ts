// Pure parts of `npm run admin` (scripts/admin.ts): arguments, target project, claim changes.

export type StaffCommand = 'grant-staff' | 'revoke-staff';
export type AdminCommand = StaffCommand | 'remove-download-tokens';

export type AdminArgs =
  | { command: StaffCommand; email: string; emulators: boolean }
  | { command: 'remove-download-tokens'; emulators: boolean };

export const USAGE =
  'usage: npm run admin -- grant-staff|revoke-staff <email> [--emulators]\n' +
  '       npm run admin -- remove-download-tokens [--emulators]';

export function parseAdminArgs(argv: string[]): AdminArgs {
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => f !== '--emulators');
  if (unknown.length > 0) throw new Error(`Unknown option ${unknown[0]}.\n${USAGE}`);
  const emulators = flags.includes('--emulators');
  const [command, email, ...extra] = positional;
  if (command === 'remove-download-tokens') {
    if (email !== undefined) throw new Error(USAGE);
    return { command, emulators };
  }
  if (command !== 'grant-staff' && command !== 'revoke-staff') throw new Error(USAGE);
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || extra.length > 0) throw new Error(USAGE);
  return { command, email, emulators };
}

export type Target =
  | { kind: 'emulators'; projectId: string; authHost: string; firestoreHost: string }
  | { kind: 'project'; projectId: string | undefined };

/**
 * The local emulators unless the operator clearly means a real project: credentials given
 * and neither `--emulators` nor an emulator host set.
 */
export function chooseTarget(
  args: AdminArgs,
  env: Record<string, string | undefined>,
  defaults: { projectId: string; authHost: string; firestoreHost: string },
): Target {
  const emulators =
    args.emulators || !!env.FIREBASE_AUTH_EMULATOR_HOST || !env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!emulators) return { kind: 'project', projectId: env.GCLOUD_PROJECT };
  return {
    kind: 'emulators',
    projectId: env.GCLOUD_PROJECT ?? defaults.projectId,
    authHost: env.FIREBASE_AUTH_EMULATOR_HOST ?? defaults.authHost,
    firestoreHost: env.FIRESTORE_EMULATOR_HOST ?? defaults.firestoreHost,
  };
}

/** setCustomUserClaims replaces every claim, so premium and others must be carried over. */
export function staffClaims(existing: Record<string, unknown> | undefined, command: StaffCommand) {
  const { staff: _staff, ...rest } = existing ?? {};
  return command === 'grant-staff' ? { ...rest, staff: true } : rest;
}
