// Pure parts of `npm run admin` (scripts/admin.ts): arguments, target project, claim changes.

export type AdminCommand = 'grant-staff' | 'revoke-staff';

export interface AdminArgs {
  command: AdminCommand;
  email: string;
  emulators: boolean;
}

export const USAGE = 'usage: npm run admin -- grant-staff|revoke-staff <email> [--emulators]';

export function parseAdminArgs(argv: string[]): AdminArgs {
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => f !== '--emulators');
  if (unknown.length > 0) throw new Error(`Unknown option ${unknown[0]}.\n${USAGE}`);
  const [command, email, ...extra] = positional;
  if (command !== 'grant-staff' && command !== 'revoke-staff') throw new Error(USAGE);
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || extra.length > 0) throw new Error(USAGE);
  return { command, email, emulators: flags.includes('--emulators') };
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
export function staffClaims(existing: Record<string, unknown> | undefined, command: AdminCommand) {
  const { staff: _staff, ...rest } = existing ?? {};
  return command === 'grant-staff' ? { ...rest, staff: true } : rest;
}
