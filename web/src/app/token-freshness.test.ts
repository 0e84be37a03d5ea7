import { describe, expect, it } from 'vitest';
import { type FreshnessUser, freshenToken, tokenIsStale } from './token-freshness.js';

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
});
