import { type App, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminApp,
  callWithBody,
  createMember,
  type Member,
  rejection,
  requireBackendEnv,
  type StaffSession,
  staffWithSecondFactor,
} from '../support/premium.js';

// Issue 15 item 5: firebase-functions decodes callable data by assignment, so a `__proto__` key
// in the JSON becomes the decoded object's prototype and zod would read fields through it. Each
// callable is sent the prototype-smuggled form of an input it would otherwise act on.

let admin: App;
let member: Member;
let staff: StaffSession;

beforeAll(async () => {
  requireBackendEnv();
  admin = adminApp('callable-input');
  [member, staff] = await Promise.all([
    createMember(admin, { prefix: 'proto' }),
    staffWithSecondFactor(admin),
  ]);
});
afterAll(async () => {
  await member?.close();
  if (admin) await deleteApp(admin);
});

const refused = 'functions/invalid-argument: __proto__ is not an allowed field.';

describe('callables refuse input whose prototype the caller chose', () => {
  it('deleteMyAccount is not confirmed through __proto__, and the account stays', async () => {
    const token = await member.user.getIdToken();
    expect(
      await rejection(callWithBody(token, 'deleteMyAccount', '{"data":{"__proto__":{"confirm":true}}}')),
    ).toBe(refused);
    await expect(getAuth(admin).getUser(member.uid)).resolves.toMatchObject({ uid: member.uid });
  });

  it.each([
    ['whoami', '{"data":{"__proto__":{"x":1}}}'],
    ['exportMyData', '{"data":{"__proto__":{"uid":"someone-else"}}}'],
    ['redeemAccessCode', '{"data":{"__proto__":{"code":"ABCDEFGHJKLM"}}}'],
  ])('%s (member)', async (name, body) => {
    expect(await rejection(callWithBody(await member.user.getIdToken(), name, body))).toBe(refused);
  });

  it.each([
    ['grantPremium', '{"data":{"__proto__":{"member":"someone@example.com","days":30}}}'],
    ['revokePremium', '{"data":{"__proto__":{"member":"someone@example.com"}}}'],
    ['createAccessCodes', '{"data":{"__proto__":{"count":1,"validDays":1}}}'],
  ])('%s (staff)', async (name, body) => {
    expect(await rejection(callWithBody(staff.idToken, name, body))).toBe(refused);
  });

  it('a nested constructor key is refused too', async () => {
    const body = '{"data":{"member":"someone@example.com","days":{"constructor":{"x":1}}}}';
    expect(await rejection(callWithBody(staff.idToken, 'grantPremium', body))).toBe(
      'functions/invalid-argument: days: constructor is not an allowed field.',
    );
  });
});
