import { type App, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminApp,
  createMember,
  describeRejection,
  type Member,
  randomCode,
  rejection,
  requireBackendEnv,
  staffWithSecondFactor,
  storeCode,
} from '../support/premium.js';
import { redeemCode } from '../../functions/src/premium/redeem.js';

// redeemAccessCode through the Functions emulator, against our Firestore emulator's transactions.

let admin: App;
const members: Member[] = [];
const DAY = 86_400;

beforeAll(() => {
  requireBackendEnv();
  admin = adminApp('redeem');
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

async function auditEntries(action: string, subjectOrCodePrefix: { subject?: string; code?: string }) {
  const snapshot = await getFirestore(admin).collection('audit').where('action', '==', action).get();
  return snapshot.docs
    .map((d) => d.data())
    .filter(
      (e) =>
        (subjectOrCodePrefix.subject === undefined || e.subject === subjectOrCodePrefix.subject) &&
        (subjectOrCodePrefix.code === undefined || e.details?.code === subjectOrCodePrefix.code),
    );
}

async function entitlement(uid: string) {
  return (await getFirestore(admin).doc(`entitlements/${uid}`).get()).data();
}

/** The state a redemption leaves when its transaction committed but setting the claims failed. */
async function leftUnfinished(
  uid: string,
  hash: string,
  record: { active: boolean; until: number | null; source: string },
): Promise<void> {
  const db = getFirestore(admin);
  await db
    .doc(`accessCodes/${hash}`)
    .update({ redeemedBy: uid, redeemedAt: Timestamp.now(), claimsApplied: false });
  await db.doc(`entitlements/${uid}`).set(record);
}

describe('redeemAccessCode', () => {
  it(
    'lets exactly one of 8 concurrent redemptions of a code succeed through the Functions emulator, with one audit entry',
    { timeout: 300_000 },
    async () => {
      // Eight, not more: the Functions emulator serves each concurrent call from its own process
      // (seconds of CPU each), so a wider race costs minutes of the suite; the 50-way race of the
      // transaction itself runs in-process below.
      const contenders = await Promise.all(Array.from({ length: 8 }, () => member({ prefix: 'race' })));
      // Each process must come up within 30 s; the pool is grown four at a time first, and the
      // race below runs on warm processes. Malformed input is refused before the rate limit
      // counts anything, so the warm-up costs the contenders none of their 5 attempts. A warm-up
      // call whose process failed to start only times out (the next step starts another).
      const refused = 'functions/invalid-argument: code: That does not look like an access code.';
      for (let size = 4; size <= contenders.length; size += 4) {
        const answers = await Promise.all(
          contenders.slice(0, size).map((m) => rejection(m.call('redeemAccessCode', { code: '!' }, 45_000))),
        );
        for (const answer of answers)
          expect([refused, 'functions/deadline-exceeded: deadline-exceeded']).toContain(answer);
      }
      const code = randomCode();
      const hash = await storeCode(admin, code, { premiumDays: 30 });
      const started = Math.floor(Date.now() / 1000);

      const results = await Promise.allSettled(contenders.map((m) => m.call('redeemAccessCode', { code })));

      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [contenders[i]!] : []));
      expect(winners).toHaveLength(1);
      const losers = results.filter((r) => r.status === 'rejected');
      expect(losers).toHaveLength(contenders.length - 1);
      for (const loser of losers) {
        expect(describeRejection((loser as PromiseRejectedResult).reason)).toBe(
          'functions/failed-precondition: That code has already been used.',
        );
      }

      const winner = winners[0]!;
      const stored = await getFirestore(admin).doc(`accessCodes/${hash}`).get();
      expect(stored.get('redeemedBy')).toBe(winner.uid);
      expect(await auditEntries('premium.redeem', { code: hash.slice(0, 12) })).toHaveLength(1);

      // The claim is set, and the member's refreshed token shows it.
      const claims = (await getAuth(admin).getUser(winner.uid)).customClaims ?? {};
      expect(claims.premium).toBe(true);
      expect(claims.premiumUntil).toBeGreaterThanOrEqual(started + 30 * DAY - 5);
      expect(claims.premiumUntil).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 30 * DAY);
      const before = await winner.user.getIdTokenResult();
      expect(before.claims.premium).toBeUndefined();
      await winner.user.getIdToken(true);
      const after = await winner.user.getIdTokenResult();
      expect(after.claims.premium).toBe(true);
      expect(after.claims.premiumUntil).toBe(claims.premiumUntil);

      const profile = await getFirestore(admin).doc(`users/${winner.uid}`).get();
      expect(profile.get('premium')).toEqual({ active: true, until: claims.premiumUntil, source: 'code' });
      const loserClaims = await getAuth(admin).getUser(contenders.find((m) => m !== winner)!.uid);
      expect(loserClaims.customClaims?.premium).toBeUndefined();
    },
  );

  it("lets exactly one of 50 concurrent redeemCode calls succeed (the function body in this process, against the emulators' transactions)", async () => {
    const auth = getAuth(admin);
    const db = getFirestore(admin);
    const uids = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const user = await auth.createUser({
          email: `race50-${i}-${Date.now()}@example.com`,
          emailVerified: true,
        });
        return user.uid;
      }),
    );
    const code = randomCode();
    const hash = await storeCode(admin, code, { premiumDays: 30 });

    const results = await Promise.allSettled(uids.map((uid) => redeemCode(uid, code)));

    const winners = uids.filter((_, i) => results[i]!.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      const reason = (r as PromiseRejectedResult).reason as { code?: unknown; message?: unknown };
      expect(`${String(reason.code)}: ${String(reason.message)}`).toBe(
        'failed-precondition: That code has already been used.',
      );
    }
    expect((await db.doc(`accessCodes/${hash}`).get()).get('redeemedBy')).toBe(winners[0]);
    expect(await auditEntries('premium.redeem', { code: hash.slice(0, 12) })).toHaveLength(1);
    const granted = await Promise.all(uids.map(async (uid) => (await entitlement(uid))?.active === true));
    expect(uids.filter((_, i) => granted[i])).toEqual(winners);
    expect((await auth.getUser(winners[0]!)).customClaims?.premium).toBe(true);
  });

  it('allows 5 attempts an hour, then answers resource-exhausted even for a valid code', async () => {
    const m = await member();
    for (let i = 0; i < 5; i++) {
      expect(await rejection(m.call('redeemAccessCode', { code: randomCode() }))).toBe(
        'functions/not-found: That code does not exist. Check it and try again.',
      );
    }
    const code = randomCode();
    const hash = await storeCode(admin, code);
    expect(await rejection(m.call('redeemAccessCode', { code }))).toMatch(
      /^functions\/resource-exhausted: Too many requests\. Try again in (59|60) minutes\.$/,
    );
    const limit = await getFirestore(admin).doc(`rateLimits/redeemAccessCode:${m.uid}`).get();
    expect(limit.get('count')).toBe(5);
    expect((await getFirestore(admin).doc(`accessCodes/${hash}`).get()).get('redeemedBy')).toBeNull();
  });

  it('explains expired, unknown and malformed codes', async () => {
    const m = await member();
    const expired = randomCode();
    await storeCode(admin, expired, { expiresInMs: -86_400_000 });
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await rejection(m.call('redeemAccessCode', { code: expired }))).toBe(
      `functions/failed-precondition: That code expired on ${day}.`,
    );
    expect(await rejection(m.call('redeemAccessCode', { code: randomCode() }))).toBe(
      'functions/not-found: That code does not exist. Check it and try again.',
    );
    expect(await rejection(m.call('redeemAccessCode', { code: 'no!' }))).toBe(
      'functions/invalid-argument: code: That does not look like an access code.',
    );
    expect(await rejection(m.call('redeemAccessCode', {}))).toBe(
      'functions/invalid-argument: code: Enter an access code.',
    );
  });

  it('accepts the code as typed (lower case, spaces), keeps other claims, and grants no end when the code has none', async () => {
    const m = await member({ claims: { beta: true } });
    const code = randomCode();
    await storeCode(admin, code, { premiumDays: null });
    const typed = ` ${code.slice(0, 4).toLowerCase()} ${code.slice(4, 8)}-${code.slice(8)} `;
    expect(await m.call('redeemAccessCode', { code: typed })).toEqual({ premium: true, until: null });
    expect((await getAuth(admin).getUser(m.uid)).customClaims).toEqual({ beta: true, premium: true });
    // Redeeming again is pointless and does not burn another code.
    const second = randomCode();
    const hash = await storeCode(admin, second);
    expect(await rejection(m.call('redeemAccessCode', { code: second }))).toBe(
      'functions/failed-precondition: You already have premium access with no end date.',
    );
    expect((await getFirestore(admin).doc(`accessCodes/${hash}`).get()).get('redeemedBy')).toBeNull();
  });

  it('a used code never grants again after staff revoke premium (issue 15 item 1)', async () => {
    const m = await member({ claims: { beta: true } });
    const staff = await staffWithSecondFactor(admin);
    for (const premiumDays of [30, null]) {
      const code = randomCode();
      const hash = await storeCode(admin, code, { premiumDays });
      await m.call('redeemAccessCode', { code });
      await staff.call('revokePremium', { member: m.email });

      expect(await rejection(m.call('redeemAccessCode', { code }))).toBe(
        'functions/failed-precondition: That code has already been used.',
      );
      expect((await getAuth(admin).getUser(m.uid)).customClaims).toEqual({ beta: true });
      expect((await entitlement(m.uid))?.active).toBe(false);
      expect(await auditEntries('premium.redeem', { code: hash.slice(0, 12) })).toHaveLength(1);
    }
  });

  it('two codes redeemed by one member at the same moment add up', async () => {
    const m = await member();
    const [first, second] = [randomCode(), randomCode()];
    await Promise.all([
      storeCode(admin, first, { premiumDays: 30 }),
      storeCode(admin, second, { premiumDays: 10 }),
    ]);
    const started = Math.floor(Date.now() / 1000);
    const answers = await Promise.all([
      m.call<{ until: number }>('redeemAccessCode', { code: first }),
      m.call<{ until: number }>('redeemAccessCode', { code: second }),
    ]);
    const last = Math.max(...answers.map((a) => a.until));
    expect(last).toBeGreaterThanOrEqual(started + 40 * DAY);
    expect(last).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 40 * DAY);
    expect((await entitlement(m.uid))?.until).toBe(last);
    expect((await getAuth(admin).getUser(m.uid)).customClaims?.premiumUntil).toBe(last);
  });

  it('a retry finishes a redemption whose claims were never set, exactly once, and only for that member', async () => {
    // As left by a redemption whose transaction committed but whose claims write failed.
    const m = await member({ claims: { beta: true } });
    const code = randomCode();
    const hash = await storeCode(admin, code);
    const until = Math.floor(Date.now() / 1000) + 30 * DAY;
    await leftUnfinished(m.uid, hash, { active: true, until, source: 'code' });

    const other = await member();
    expect(await rejection(other.call('redeemAccessCode', { code }))).toBe(
      'functions/failed-precondition: That code has already been used.',
    );
    expect(await m.call('redeemAccessCode', { code })).toEqual({ premium: true, until });
    expect((await getAuth(admin).getUser(m.uid)).customClaims).toEqual({
      beta: true,
      premium: true,
      premiumUntil: until,
    });
    expect(await auditEntries('premium.redeem.finish', { code: hash.slice(0, 12) })).toHaveLength(1);

    expect(await rejection(m.call('redeemAccessCode', { code }))).toBe(
      'functions/failed-precondition: That code has already been used.',
    );
    expect(await auditEntries('premium.redeem.finish', { code: hash.slice(0, 12) })).toHaveLength(1);
    expect((await entitlement(m.uid))?.until).toBe(until);
  });

  it('finishing copies the current entitlement: a revoke since wins, a later grant is kept', async () => {
    const revoked = await member();
    const code = randomCode();
    const hash = await storeCode(admin, code);
    await leftUnfinished(revoked.uid, hash, { active: false, until: null, source: 'staff' });
    await getAuth(admin).setCustomUserClaims(revoked.uid, { premium: true });
    expect(await rejection(revoked.call('redeemAccessCode', { code }))).toBe(
      'functions/failed-precondition: That code has already been used.',
    );
    expect((await getAuth(admin).getUser(revoked.uid)).customClaims).toEqual({});

    const later = Math.floor(Date.now() / 1000) + 90 * DAY;
    const extended = await member();
    const other = randomCode();
    const otherHash = await storeCode(admin, other);
    await leftUnfinished(extended.uid, otherHash, { active: true, until: later, source: 'staff' });
    expect(await extended.call('redeemAccessCode', { code: other })).toEqual({ premium: true, until: later });
    expect((await getAuth(admin).getUser(extended.uid)).customClaims).toEqual({
      premium: true,
      premiumUntil: later,
    });
  });

  it('refuses members who have not verified their email', async () => {
    const m = await member({ verified: false });
    const code = randomCode();
    const hash = await storeCode(admin, code);
    expect(await rejection(m.call('redeemAccessCode', { code }))).toBe(
      'functions/permission-denied: Verify your email address first.',
    );
    expect((await getFirestore(admin).doc(`accessCodes/${hash}`).get()).get('redeemedBy')).toBeNull();
  });
});
