import { GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { toJson } from './to-json.js';

describe('toJson', () => {
  it('turns timestamps into ISO strings, at any depth', () => {
    const at = Timestamp.fromDate(new Date('2026-03-04T05:06:07.000Z'));
    expect(toJson({ createdAt: at, list: [at], nested: { at } })).toEqual({
      createdAt: '2026-03-04T05:06:07.000Z',
      list: ['2026-03-04T05:06:07.000Z'],
      nested: { at: '2026-03-04T05:06:07.000Z' },
    });
  });

  it('keeps plain values and encodes bytes and geopoints', () => {
    expect(
      toJson({
        s: 'x',
        n: 3,
        b: true,
        z: null,
        u: undefined,
        bytes: Buffer.from('hi'),
        g: new GeoPoint(1, 2),
      }),
    ).toEqual({ s: 'x', n: 3, b: true, z: null, u: null, bytes: 'aGk=', g: { latitude: 1, longitude: 2 } });
  });
});
