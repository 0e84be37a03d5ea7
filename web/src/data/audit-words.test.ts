import { describe, expect, it } from 'vitest';
import { actionText, type AuditEntryView, dayText, whenText } from './audit-words.js';

const paris = { timeZone: 'Europe/Paris' };
// 3 Jan 2027 00:30 in Paris is still 2 Jan in UTC: the day must follow the viewer's zone.
const JAN3_PARIS = Date.UTC(2027, 0, 2, 23, 30) / 1000;

function entry(over: Partial<AuditEntryView>): AuditEntryView {
  return {
    id: 'e1',
    at: new Date(Date.UTC(2026, 11, 5, 13, 3)),
    actor: 'staffUid',
    actorName: 'Grace',
    action: 'premium.grant',
    subject: 'memberUid',
    subjectName: 'Ada_L',
    details: {},
    ...over,
  };
}

describe('audit log in words', () => {
  it('dates follow the viewer’s time zone, which is named', () => {
    expect(dayText(JAN3_PARIS, paris)).toBe('3 Jan 2027');
    expect(dayText(JAN3_PARIS, { timeZone: 'UTC' })).toBe('2 Jan 2027');
    expect(whenText(new Date(Date.UTC(2026, 11, 5, 13, 3)), paris)).toBe('5 Dec 2026, 14:03 CET');
    expect(whenText(null)).toBe('just now');
  });

  it('grants name the member and the end of the period', () => {
    const text = actionText(entry({ details: { days: 30, until: JAN3_PARIS } }), paris);
    expect(text).toBe('granted premium to Ada_L until 3 Jan 2027 (30 days)');
    expect(actionText(entry({ details: { days: null, until: null } }))).toBe(
      'granted premium to Ada_L with no end date',
    );
  });

  it('falls back to the uid for entries written before names were recorded', () => {
    expect(actionText(entry({ action: 'premium.revoke', subjectName: null }))).toBe(
      'revoked premium from memberUid',
    );
  });

  it('codes, redemptions, deletions and exports read as sentences', () => {
    expect(
      actionText(
        entry({
          action: 'accessCodes.create',
          subject: 'accessCodes',
          details: { count: 1, validDays: 30, premiumDays: null, expiresAt: JAN3_PARIS },
        }),
        paris,
      ),
    ).toBe('created 1 access code (premium with no end date each, redeemable until 3 Jan 2027)');
    const self = { actor: 'memberUid', actorName: 'Ada_L' };
    expect(
      actionText(
        entry({ ...self, action: 'premium.redeem', details: { code: 'abc123', until: JAN3_PARIS } }),
        paris,
      ),
    ).toBe('redeemed access code abc123… for premium until 3 Jan 2027');
    expect(
      actionText(entry({ ...self, action: 'account.delete', details: { documents: 4, files: 1 } })),
    ).toBe('deleted their account (4 documents, 1 file)');
    expect(actionText(entry({ ...self, action: 'account.export' }))).toBe('downloaded their data');
  });

  it('an unknown action still shows its details', () => {
    expect(actionText(entry({ action: 'thing.happen', details: { a: 1, b: null } }))).toBe(
      'thing.happen on Ada_L (a 1, b none)',
    );
  });
});
