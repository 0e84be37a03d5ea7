import { describe, expect, it } from 'vitest';
import { claimsAreNewer, type FreshnessUser, freshenToken, tokenIsStale } from './token-freshness.js';

describe('tokenIsStale', () => {
  it('is stale when the record is verified and the token is not (verified in another tab)', () => {
    expect(
      tokenIsStale({ emailVerified: true, email: 'a@x.test' }, { email_verified: false, email: 'a@x.test' }),
    ).toBe(true);
  });

  it('is stale after an email change the token has not seen', () => {
    expect(
      tokenIsStale(
        { emailVerified: true, email: 'new@x.test' },
        { email_verified: true, email: 'old@x.test' },
      ),
    ).toBe(true);
  });

  it('is fresh when both agree', () => {
    expect(
      tokenIsStale({ emailVerified: true, email: 'a@x.test' }, { email_verified: true, email: 'a@x.test' }),
    ).toBe(false);
    expect(tokenIsStale({ emailVerified: false, email: null }, {})).toBe(false);
  });
});

describe('freshenToken', () => {
  function fakeUser(record: { emailVerified: boolean; email: string }, claims: Record<string, unknown>) {
    const calls: string[] = [];
    const user: FreshnessUser = {
      ...record,
      getIdTokenResult: async () => ({ claims }),
      getIdToken: async (force) => {
        calls.push(force ? 'refresh' : 'cached');
        return 't';
      },
    };
    return { user, calls };
  }

  it('reloads first, then refreshes only when the token says less', async () => {
    const order: string[] = [];
    const stale = fakeUser(
      { emailVerified: true, email: 'a@x.test' },
      { email_verified: false, email: 'a@x.test' },
    );
    expect(await freshenToken(stale.user, async () => void order.push('reload'))).toBe(true);
    expect(order).toEqual(['reload']);
    expect(stale.calls).toEqual(['refresh']);

    const fresh = fakeUser(
      { emailVerified: true, email: 'a@x.test' },
      { email_verified: true, email: 'a@x.test' },
    );
    expect(await freshenToken(fresh.user, async () => undefined)).toBe(false);
    expect(fresh.calls).toEqual([]);
  });

  it('refreshes a token minted before staff changed the claims, and not one minted after', async () => {
    const record = { emailVerified: true, email: 'a@x.test' };
    const claims = { email_verified: true, email: 'a@x.test', iat: 1_000 };
    const before = fakeUser(record, claims);
    expect(
      await freshenToken(
        before.user,
        async () => undefined,
        async () => 1_000_500,
      ),
    ).toBe(true);
    expect(before.calls).toEqual(['refresh']);

    const after = fakeUser(record, claims);
    expect(
      await freshenToken(
        after.user,
        async () => undefined,
        async () => 999_000,
      ),
    ).toBe(false);
    const never = fakeUser(record, claims);
    expect(
      await freshenToken(
        never.user,
        async () => undefined,
        async () => null,
      ),
    ).toBe(false);
    expect([...after.calls, ...never.calls]).toEqual([]);
  });
});

describe('claimsAreNewer', () => {
  it('compares the stamp in milliseconds with iat in seconds', () => {
    expect(claimsAreNewer(2_000_001, { iat: 2_000 })).toBe(true);
    expect(claimsAreNewer(1_999_999, { iat: 2_000 })).toBe(false);
  });

  it('treats a token without iat as older than any stamp, and no stamp as nothing to do', () => {
    expect(claimsAreNewer(1, {})).toBe(true);
    expect(claimsAreNewer(null, {})).toBe(false);
  });
});
