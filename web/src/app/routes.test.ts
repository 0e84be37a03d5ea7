import { describe, expect, it } from 'vitest';
import { byName, decide, matchRoute, safeNext } from './routes.js';

const visitor = { signedIn: false, verified: false, staffClaim: false };
const unverified = { signedIn: true, verified: false, staffClaim: false };
const member = { signedIn: true, verified: true, staffClaim: false };
const staff = { signedIn: true, verified: true, staffClaim: true };

describe('matchRoute', () => {
  it('finds every page by its path, with or without a trailing slash', () => {
    expect(matchRoute('/').route.name).toBe('home');
    expect(matchRoute('/library/').route.name).toBe('library');
    expect(matchRoute('/staff/inbox').route.name).toBe('staff-inbox');
    expect(matchRoute('/staff/inbox/abc%20d')).toEqual({
      route: byName('staff-conversation'),
      params: { uid: 'abc d' },
    });
  });

  it('sends unknown and malformed paths to the not-found page', () => {
    expect(matchRoute('/nope').route.name).toBe('not-found');
    expect(matchRoute('/staff/inbox/a/b').route.name).toBe('not-found');
    expect(matchRoute('/staff/inbox/%E0%A4%A').route.name).toBe('not-found');
  });

  it('opens the action page for links from our emails, on any path', () => {
    expect(matchRoute('/', '?mode=verifyEmail&oobCode=x&apiKey=k').route.name).toBe('action');
    expect(matchRoute('/library', '?mode=resetPassword&oobCode=x').route.name).toBe('action');
    expect(matchRoute('/', '?mode=verifyEmail').route.name).toBe('home');
  });
});

describe('decide', () => {
  it('sends signed-out visits to sign-in and remembers the page', () => {
    expect(decide(byName('library'), visitor, '/library', null)).toEqual({
      show: false,
      redirect: '/signin?next=%2Flibrary',
    });
    expect(decide(byName('home'), visitor, '/', null)).toEqual({ show: false, redirect: '/signin' });
  });

  it('holds unverified members at /verify, and lets them through once verified', () => {
    expect(decide(byName('messages'), unverified, '/messages', null)).toEqual({
      show: false,
      redirect: '/verify?next=%2Fmessages',
    });
    expect(decide(byName('verify'), unverified, '/verify', null)).toEqual({ show: true });
    expect(decide(byName('verify'), member, '/verify?next=%2Fmessages', '/messages')).toEqual({
      show: false,
      redirect: '/messages',
    });
  });

  it('lets any signed-in account, verified or not, open the page that deletes it', () => {
    expect(matchRoute('/account/delete').route.name).toBe('delete-account');
    expect(decide(byName('delete-account'), unverified, '/account/delete', null)).toEqual({ show: true });
    expect(decide(byName('delete-account'), member, '/account/delete', null)).toEqual({ show: true });
    expect(decide(byName('delete-account'), visitor, '/account/delete', null)).toEqual({
      show: false,
      redirect: '/signin?next=%2Faccount%2Fdelete',
    });
  });

  it('moves a signed-in visit to sign-in on to the asked-for page', () => {
    expect(decide(byName('signin'), member, '/signin?next=%2Flibrary', '/library')).toEqual({
      show: false,
      redirect: '/library',
    });
  });

  it('refuses staff pages to members without the claim, in place', () => {
    expect(decide(byName('staff-inbox'), member, '/staff/inbox', null)).toEqual({
      show: false,
      refuse: 'staff',
    });
    expect(decide(byName('staff-inbox'), staff, '/staff/inbox', null)).toEqual({ show: true });
  });
});

describe('safeNext', () => {
  it.each([
    ['//evil.example/x', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/signin', '/'],
    [null, '/'],
    ['/staff/inbox?x=1', '/staff/inbox?x=1'],
  ])('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
