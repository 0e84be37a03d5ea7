import { describe, expect, it } from 'vitest';
import { formatDetails, optionalDays, staffAccess, toAuditRow } from './staff-access.js';

describe('staffAccess', () => {
  it('needs the staff claim and a second factor', () => {
    expect(staffAccess({ staff: true }, 'phone')).toBe('staff');
    expect(staffAccess({ staff: true }, null)).toBe('needs-second-factor');
    expect(staffAccess({ staff: 'true' }, 'phone')).toBe('none');
    expect(staffAccess({}, 'phone')).toBe('none');
  });
});

describe('audit rows', () => {
  it('turns an entry into table text', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    expect(
      toAuditRow('e1', {
        actor: 'staff1',
        action: 'premium.grant',
        subject: 'm1',
        details: { days: 30, until: null },
        at: { toDate: () => at },
      }),
    ).toEqual({
      id: 'e1',
      at,
      actor: 'staff1',
      action: 'premium.grant',
      subject: 'm1',
      details: 'days=30, until=none',
    });
  });

  it('tolerates missing fields', () => {
    expect(toAuditRow('e2', {})).toEqual({
      id: 'e2',
      at: null,
      actor: '',
      action: '',
      subject: '',
      details: '',
    });
    expect(formatDetails('x')).toBe('');
  });

  it('reads an empty days field as no end date', () => {
    expect(optionalDays('  ')).toBeNull();
    expect(optionalDays(' 30 ')).toBe(30);
  });
});
