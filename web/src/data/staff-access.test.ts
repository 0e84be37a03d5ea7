import { describe, expect, it } from 'vitest';
import { optionalDays, staffAccess, toAuditEntry } from './staff-access.js';

describe('staffAccess', () => {
  it('needs the staff claim and a second factor', () => {
    expect(staffAccess({ staff: true }, 'phone')).toBe('staff');
    expect(staffAccess({ staff: true }, null)).toBe('needs-second-factor');
    expect(staffAccess({ staff: 'true' }, 'phone')).toBe('none');
    expect(staffAccess({}, 'phone')).toBe('none');
  });
});

describe('audit entries', () => {
  it('reads an entry with its names and details', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    expect(
      toAuditEntry('e1', {
        actor: 'staff1',
        actorName: 'grace@example.com',
        action: 'premium.grant',
        subject: 'm1',
        subjectName: 'Ada_L',
        details: { days: 30, until: null },
        at: { toDate: () => at },
      }),
    ).toEqual({
      id: 'e1',
      at,
      actor: 'staff1',
      actorName: 'grace@example.com',
      action: 'premium.grant',
      subject: 'm1',
      subjectName: 'Ada_L',
      details: { days: 30, until: null },
    });
  });

  it('tolerates missing and malformed fields', () => {
    expect(toAuditEntry('e2', { actorName: '', details: 'x', at: 5 })).toEqual({
      id: 'e2',
      at: null,
      actor: '',
      actorName: null,
      action: '',
      subject: '',
      subjectName: null,
      details: {},
    });
  });

  it('reads an empty days field as no end date', () => {
    expect(optionalDays('  ')).toBeNull();
    expect(optionalDays(' 30 ')).toBe(30);
  });
});
