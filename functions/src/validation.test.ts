import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { deleteMyAccountInput, exportMyDataInput } from './account/schemas.js';
import { parseInput } from './validation.js';

function refusal(run: () => unknown): { code: string; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpsError);
    return { code: (error as HttpsError).code, message: (error as HttpsError).message };
  }
}

describe('exportMyData input', () => {
  it('accepts no data, null and an empty object', () => {
    expect(parseInput(exportMyDataInput, undefined)).toBeUndefined();
    expect(parseInput(exportMyDataInput, null)).toBeNull();
    expect(parseInput(exportMyDataInput, {})).toEqual({});
  });

  it('refuses anything else with invalid-argument and a readable message', () => {
    expect(refusal(() => parseInput(exportMyDataInput, { uid: 'someone-else' }))).toEqual({
      code: 'invalid-argument',
      message: 'exportMyData takes no input.',
    });
    expect(refusal(() => parseInput(exportMyDataInput, 'all'))?.code).toBe('invalid-argument');
  });
});

describe('deleteMyAccount input', () => {
  it('accepts an explicit confirmation', () => {
    expect(parseInput(deleteMyAccountInput, { confirm: true })).toEqual({ confirm: true });
  });

  it.each([
    ['no data', null],
    ['an empty object', {}],
    ['confirm: false', { confirm: false }],
    ['confirm as a string', { confirm: 'true' }],
  ])('refuses %s with invalid-argument', (_name, data) => {
    const error = refusal(() => parseInput(deleteMyAccountInput, data));
    expect(error?.code).toBe('invalid-argument');
    expect(error?.message).toContain('Confirm that you want to delete your account.');
  });

  it('refuses extra fields such as another member’s uid', () => {
    const error = refusal(() => parseInput(deleteMyAccountInput, { confirm: true, uid: 'victim' }));
    expect(error?.code).toBe('invalid-argument');
    expect(error?.message).toMatch(/uid/);
  });
});

describe('input whose prototype the caller chose', () => {
  // What firebase-functions' decoder makes of {"data":{"__proto__":{"confirm":true}}}: it copies
  // keys by assignment, so the `__proto__` key becomes the prototype of the decoded object.
  function decodedLikeTheSdk(json: string): unknown {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) decoded[key] = value;
    return decoded;
  }

  it('refuses a confirmation inherited through __proto__', () => {
    const data = decodedLikeTheSdk('{"__proto__":{"confirm":true}}');
    expect((data as { confirm?: unknown }).confirm).toBe(true);
    expect(refusal(() => parseInput(deleteMyAccountInput, data))).toEqual({
      code: 'invalid-argument',
      message: '__proto__ is not an allowed field.',
    });
  });

  it.each(['constructor', 'prototype'])('refuses an own %s key, nested too', (key) => {
    const nested = JSON.parse(`{"confirm":true,"x":{"${key}":{}}}`) as unknown;
    expect(refusal(() => parseInput(deleteMyAccountInput, nested))).toEqual({
      code: 'invalid-argument',
      message: `x: ${key} is not an allowed field.`,
    });
  });

  it('refuses a polluted object inside an array', () => {
    const inner = decodedLikeTheSdk('{"__proto__":{"a":1}}');
    expect(refusal(() => parseInput(exportMyDataInput, { list: [inner] }))?.message).toBe(
      'list.0: __proto__ is not an allowed field.',
    );
  });

  it('passes ordinary input through unchanged', () => {
    expect(parseInput(deleteMyAccountInput, JSON.parse('{"confirm":true}'))).toEqual({ confirm: true });
  });
});
