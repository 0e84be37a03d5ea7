import { type App, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import { getStorage as getAdminStorage } from 'firebase-admin/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCode } from '../../functions/src/premium/codes.js';
import { downloadThroughFunction } from '../support/downloads.js';
import {
  adminApp,
  createMember,
  type Member,
  rejection,
  requireBackendEnv,
  type StaffSession,
  staffWithSecondFactor,
} from '../support/premium.js';

// grantPremium, revokePremium and createAccessCodes through the Functions emulator, called by
// staff signed in with a second factor (and refused to everyone else).

let admin: App;
let staff: StaffSession;
const members: Member[] = [];
const DAY = 86_400;
const PREMIUM_FILE = 'content/premium/staff-test.txt';

beforeAll(async () => {
  requireBackendEnv();
  admin = adminApp('staff');
  staff = await staffWithSecondFactor(admin);
  await getAdminStorage(admin)
    .bucket()
    .file(PREMIUM_FILE)
    .save(Buffer.from('premium bytes'), { contentType: 'text/plain' });
});
afterAll(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
  if (admin) await deleteApp(admin);
});

async function member(options: Parameters<typeof createMember>[1] = {}): Promise<Member> {
  const m = await createMember(admin, options);
  members.push(m);
  return m;
}

async function claimsOf(uid: string): Promise<Record<string, unknown>> {
  return (await getAuth(admin).getUser(uid)).customClaims ?? {};
}

async function latestAudit(action: string, subject: string): Promise<Record<string, unknown> | undefined> {
  const snapshot = await getFirestore(admin).collection('audit').where('subject', '==', subject).get();
  return snapshot.docs.map((d) => d.data()).find((e) => e.action === action);
}

/** Premium bytes as the app fetches them; the status for a refusal. */
async function downloadAs(m: Member, refresh = false): Promise<string | number> {
  const response = await downloadThroughFunction(PREMIUM_FILE, await m.user.getIdToken(refresh));
  return response.ok ? await response.text() : response.status;
}

describe('staff tools', () => {
  it('the staff token carries the second factor', () => {
    const payload = JSON.parse(Buffer.from(staff.idToken.split('.')[1]!, 'base64url').toString()) as {
      staff?: boolean;
      firebase?: { sign_in_second_factor?: string };
    };
    expect(payload.staff).toBe(true);
    expect(payload.firebase?.sign_in_second_factor).toBe('phone');
  });

  it('creates codes shown once and stored only as hashes; a member redeems one', async () => {
    const created = await staff.call<{ codes: string[]; expiresAt: number; premiumDays: number | null }>(
      'createAccessCodes',
      { count: 3, validDays: 7, premiumDays: 10 },
    );
    expect(created.codes).toHaveLength(3);
    expect(new Set(created.codes).size).toBe(3);
    for (const code of created.codes)
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(created.premiumDays).toBe(10);
    expect(Math.abs(created.expiresAt - (Math.floor(Date.now() / 1000) + 7 * DAY))).toBeLessThan(30);

    const db = getFirestore(admin);
    for (const code of created.codes) {
      const stored = await db.doc(`accessCodes/${hashCode(code)}`).get();
      expect(stored.exists).toBe(true);
      expect(stored.get('premiumDays')).toBe(10);
      expect(stored.get('createdBy')).toBe(staff.uid);
      expect(JSON.stringify(stored.data())).not.toContain(code.replace(/-/g, ''));
    }
    const audit = await latestAudit('accessCodes.create', 'accessCodes');
    expect(audit).toBeDefined();
    const entries = await db.collection('audit').where('actor', '==', staff.uid).get();
    const createEntry = entries.docs.map((d) => d.data()).find((e) => e.action === 'accessCodes.create');
    expect(createEntry?.details).toMatchObject({ count: 3, validDays: 7, premiumDays: 10 });

    const m = await member();
    const result = await m.call<{ premium: boolean; until: number }>('redeemAccessCode', {
      code: created.codes[1],
    });
    expect(result.until - Math.floor(Date.now() / 1000)).toBeGreaterThan(10 * DAY - 60);
    expect(result.until - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(10 * DAY);
  });

  it('grants premium by username, then revokes it by email; the member loses the file at once', async () => {
    const m = await member({ claims: { beta: true } });
    expect(await downloadAs(m)).toBe(403);

    const granted = await staff.call<{ uid: string; active: boolean; until: number | null }>('grantPremium', {
      member: m.username.toUpperCase(),
      days: 5,
    });
    expect(granted.uid).toBe(m.uid);
    expect(granted.active).toBe(true);
    const claims = await claimsOf(m.uid);
    expect(claims).toEqual({ beta: true, premium: true, premiumUntil: granted.until });
    expect(granted.until! - Math.floor(Date.now() / 1000)).toBeGreaterThan(5 * DAY - 60);
    expect((await getFirestore(admin).doc(`users/${m.uid}`).get()).get('premium')).toEqual({
      active: true,
      until: granted.until,
      source: 'staff',
    });
    // Staff read the log by name: the staff account has no profile, so its email; the member's username.
    expect(await latestAudit('premium.grant', m.uid)).toMatchObject({
      actor: staff.uid,
      actorName: staff.email,
      subjectName: m.username,
    });

    expect(await downloadAs(m, true)).toBe('premium bytes');

    const revoked = await staff.call<{ active: boolean }>('revokePremium', { member: m.email });
    expect(revoked.active).toBe(false);
    expect(await claimsOf(m.uid)).toEqual({ beta: true });
    expect((await getFirestore(admin).doc(`users/${m.uid}`).get()).get('premium')).toEqual({
      active: false,
      until: null,
      source: 'staff',
    });
    expect((await latestAudit('premium.revoke', m.uid))?.actor).toBe(staff.uid);
    // Downloads follow the entitlement record: no token refresh is needed for the revoke to count.
    expect(await downloadAs(m)).toBe(403);
  });

  it('grants premium without an end date when no days are given', async () => {
    const m = await member();
    const granted = await staff.call<{ until: number | null }>('grantPremium', { member: m.email });
    expect(granted.until).toBeNull();
    expect(await claimsOf(m.uid)).toEqual({ premium: true });
  });

  it('answers unknown members and bad input readably', async () => {
    expect(await rejection(staff.call('grantPremium', { member: 'nobody-here@example.com' }))).toBe(
      'functions/not-found: No member has that username or email address.',
    );
    expect(await rejection(staff.call('revokePremium', { member: 'no_such_user_name' }))).toBe(
      'functions/not-found: No member has that username or email address.',
    );
    expect(await rejection(staff.call('grantPremium', { member: 'someone', days: 0 }))).toBe(
      'functions/invalid-argument: days: Duration must be at least 1 day.',
    );
    expect(await rejection(staff.call('createAccessCodes', { count: 500, validDays: 7 }))).toBe(
      'functions/invalid-argument: count: Create at most 100 codes at a time.',
    );
  });

  it('refuses staff without a second-factor sign-in, and members', async () => {
    const passwordOnlyStaff = await member({ claims: { staff: true } });
    await passwordOnlyStaff.user.getIdToken(true);
    const target = await member();
    for (const name of ['grantPremium', 'revokePremium']) {
      expect(await rejection(passwordOnlyStaff.call(name, { member: target.email }))).toBe(
        'functions/permission-denied: Sign in with your second factor to use staff tools.',
      );
    }
    expect(await rejection(passwordOnlyStaff.call('createAccessCodes', { count: 1, validDays: 1 }))).toBe(
      'functions/permission-denied: Sign in with your second factor to use staff tools.',
    );
    expect(await rejection(target.call('grantPremium', { member: target.email }))).toBe(
      'functions/permission-denied: Only staff can do that.',
    );
    expect(await claimsOf(target.uid)).toEqual({});
  });
});
