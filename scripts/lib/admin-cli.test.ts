import { describe, expect, it } from 'vitest';
import { chooseTarget, parseAdminArgs, staffClaims, USAGE } from './admin-cli.js';

const DEFAULTS = {
  projectId: 'demo-member-portal',
  authHost: '127.0.0.1:9099',
  firestoreHost: '127.0.0.1:8080',
};

describe('parseAdminArgs', () => {
  it('reads the command, the email and --emulators', () => {
    expect(parseAdminArgs(['grant-staff', 'a@b.co'])).toEqual({
      command: 'grant-staff',
      email: 'a@b.co',
      emulators: false,
    });
    expect(parseAdminArgs(['--emulators', 'revoke-staff', 'a@b.co'])).toEqual({
      command: 'revoke-staff',
      email: 'a@b.co',
      emulators: true,
    });
  });

  it('refuses unknown commands, options, bad emails and extra words', () => {
    expect(() => parseAdminArgs(['make-admin', 'a@b.co'])).toThrow(USAGE);
    expect(() => parseAdminArgs(['grant-staff'])).toThrow(USAGE);
    expect(() => parseAdminArgs(['grant-staff', 'not-an-email'])).toThrow(USAGE);
    expect(() => parseAdminArgs(['grant-staff', 'a@b.co', 'b@c.de'])).toThrow(USAGE);
    expect(() => parseAdminArgs(['grant-staff', 'a@b.co', '--force'])).toThrow('Unknown option --force.');
    expect(() => parseAdminArgs(['remove-download-tokens', 'a@b.co'])).toThrow(USAGE);
  });

  it('reads remove-download-tokens, which takes no email', () => {
    expect(parseAdminArgs(['remove-download-tokens', '--emulators'])).toEqual({
      command: 'remove-download-tokens',
      emulators: true,
    });
  });
});

describe('chooseTarget', () => {
  const args = parseAdminArgs(['grant-staff', 'a@b.co']);

  it('uses the local emulators when there are no credentials', () => {
    expect(chooseTarget(args, {}, DEFAULTS)).toEqual({ kind: 'emulators', ...DEFAULTS });
  });

  it('uses a real project only with credentials and no emulator request', () => {
    expect(
      chooseTarget(args, { GOOGLE_APPLICATION_CREDENTIALS: '/k.json', GCLOUD_PROJECT: 'acme' }, DEFAULTS),
    ).toEqual({
      kind: 'project',
      projectId: 'acme',
    });
  });

  it('prefers the emulators when asked or when an emulator host is set, keeping given hosts', () => {
    const env = { GOOGLE_APPLICATION_CREDENTIALS: '/k.json', FIREBASE_AUTH_EMULATOR_HOST: 'localhost:9999' };
    expect(chooseTarget(args, env, DEFAULTS)).toEqual({
      kind: 'emulators',
      projectId: 'demo-member-portal',
      authHost: 'localhost:9999',
      firestoreHost: '127.0.0.1:8080',
    });
    const flagged = parseAdminArgs(['grant-staff', 'a@b.co', '--emulators']);
    expect(chooseTarget(flagged, { GOOGLE_APPLICATION_CREDENTIALS: '/k.json' }, DEFAULTS).kind).toBe(
      'emulators',
    );
  });
});

describe('staffClaims', () => {
  it('adds or removes staff and keeps premium claims', () => {
    expect(staffClaims({ premium: true, premiumUntil: 5 }, 'grant-staff')).toEqual({
      premium: true,
      premiumUntil: 5,
      staff: true,
    });
    expect(staffClaims({ premium: true, staff: true }, 'revoke-staff')).toEqual({ premium: true });
    expect(staffClaims(undefined, 'grant-staff')).toEqual({ staff: true });
  });
});
