/**
 * Rules per bucket: firebase.json `storage` as an array of `{bucket|target, rules}` with `.firebaserc`
 * deploy targets (firebase-tools `getStorageRulesConfig`, `firebase target:apply storage`), the
 * `bucketRules` option, and `PUT /internal/setRules` with several `{resource, name, content}` files
 * (firebase-tools storage emulator `server.ts`), including its validation messages.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, storageBucketRules } from '../cli.js';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';

const PROJECT = 'demo-rules-per-bucket';
const ALLOW_ALL = `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if true; } } }`;
const ALLOW_NONE = `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if false; } } }`;
const ALLOW_AUTH = `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if request.auth != null; } } }`;

let em: StorageEmulatorHandle;
let dir: string;

beforeAll(async () => {
  em = await startStorageEmulator({ projectId: PROJECT, rules: ALLOW_AUTH, log: () => undefined });
  dir = await mkdtemp(join(tmpdir(), 'storage-rules-per-bucket-'));
});
afterAll(async () => {
  await em.stop();
  await rm(dir, { recursive: true, force: true });
});

const setRules = (url: string, files: unknown[]) =>
  fetch(`${url}/internal/setRules`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ rules: { files } }),
  });

/** A one-shot anonymous upload through `/v0` (resumable start + `upload, finalize`). */
async function anonymousUpload(url: string, bucket: string, name = 'test_upload.jpg'): Promise<number> {
  const start = await fetch(`${url}/v0/b/${bucket}/o?name=${name}`, {
    method: 'POST',
    headers: { 'X-Goog-Upload-Protocol': 'resumable', 'X-Goog-Upload-Command': 'start' },
  });
  if (start.status !== 200) return start.status;
  const fin = await fetch(start.headers.get('x-goog-upload-url')!, {
    method: 'PUT',
    headers: {
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'upload, finalize',
      'X-Goog-Upload-Offset': '0',
    },
    body: 'img',
  });
  return fin.status;
}

describe('PUT /internal/setRules (firebase-tools storage emulator server.ts)', () => {
  it('answers Google\'s messages for a missing name, content or resource, and "There was an error updating rules" with line:column details (firebase-tools storage emulator: setRules)', async () => {
    const missingName = await setRules(em.url, [{ content: ALLOW_ALL }]);
    expect(missingName.status).toBe(400);
    expect(((await missingName.json()) as { message: string }).message).toBe(
      "Each member of 'rules.files' array must contain 'name' and 'content'",
    );
    const missingContent = await setRules(em.url, [{ name: 'storage.rules' }]);
    expect(((await missingContent.json()) as { message: string }).message).toBe(
      "Each member of 'rules.files' array must contain 'name' and 'content'",
    );
    const missingResource = await setRules(em.url, [
      { resource: 'bucket_0', name: 'a.rules', content: ALLOW_ALL },
      { name: 'b.rules', content: ALLOW_AUTH },
    ]);
    expect(missingResource.status).toBe(400);
    expect(((await missingResource.json()) as { message: string }).message).toBe(
      "Each member of 'rules.files' array must contain 'name', 'content', and 'resource'",
    );
    const invalid = await setRules(em.url, [{ name: 'storage.rules', content: 'foo' }]);
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { message: string; details: string[] };
    expect(body.message).toBe('There was an error updating rules, see logs for more details');
    expect(body.details[0]).toMatch(/^storage\.rules:1:\d+: /);
    const missingArray = await setRules(em.url, []);
    expect(((await missingArray.json()) as { message: string }).message).toBe(
      "Request body must include 'rules.files' array",
    );
  });

  it('several {resource, name, content} files give each bucket its own ruleset; buckets not named have none; one file again covers every bucket (firebase-tools storage emulator: setRules with resources)', async () => {
    const multi = await setRules(em.url, [
      { resource: `${PROJECT}.appspot.com`, name: 'allowNone.rules', content: ALLOW_NONE },
      { resource: `gs://${PROJECT}-2.appspot.com`, name: 'allowAll.rules', content: ALLOW_ALL },
    ]);
    expect(multi.status).toBe(200);
    expect(await anonymousUpload(em.url, `${PROJECT}.appspot.com`)).toBe(403);
    expect(await anonymousUpload(em.url, `${PROJECT}-2.appspot.com`)).toBe(200);
    const other = await fetch(`${em.url}/v0/b/${PROJECT}-3.appspot.com/o/x`);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain(
      'no loaded ruleset',
    );
    // A bad file among several changes nothing and names its file.
    const bad = await setRules(em.url, [
      { resource: `${PROJECT}.appspot.com`, name: 'good.rules', content: ALLOW_ALL },
      { resource: `${PROJECT}-2.appspot.com`, name: 'broken.rules', content: 'foo' },
    ]);
    expect(((await bad.json()) as { details: string[] }).details[0]).toMatch(/^broken\.rules:1:\d+: /);
    expect(await anonymousUpload(em.url, `${PROJECT}.appspot.com`)).toBe(403);
    // One file: every bucket again.
    expect((await setRules(em.url, [{ name: 'storage.rules', content: ALLOW_ALL }])).status).toBe(200);
    expect(await anonymousUpload(em.url, `${PROJECT}-3.appspot.com`)).toBe(200);
  });
});

describe('firebase.json storage deploy targets (firebase-tools getStorageRulesConfig, firebase target:apply)', () => {
  it('resolves {target, rules} through .firebaserc and {bucket, rules} directly, and each bucket is checked against its own rules (firebase.json storage array)', async () => {
    await writeFile(join(dir, 'allowNone.rules'), ALLOW_NONE);
    await writeFile(join(dir, 'allowAll.rules'), ALLOW_ALL);
    await writeFile(
      join(dir, 'firebase.json'),
      JSON.stringify({
        storage: [
          { target: 'allowNone', rules: 'allowNone.rules' },
          { bucket: 'direct-bucket.appspot.com', rules: 'allowAll.rules' },
          { target: 'allowAll', rules: 'allowAll.rules' },
        ],
      }),
    );
    await writeFile(
      join(dir, '.firebaserc'),
      JSON.stringify({
        projects: { default: 'fake-project-id' },
        targets: {
          'fake-project-id': {
            storage: {
              allowNone: ['fake-project-id.appspot.com'],
              allowAll: ['fake-project-id-2.appspot.com'],
            },
          },
        },
      }),
    );
    const cfg = loadProjectConfig(dir);
    const bucketRules = storageBucketRules(cfg, 'fake-project-id');
    expect(bucketRules).toEqual([
      { bucket: 'fake-project-id.appspot.com', rulesPath: join(dir, 'allowNone.rules') },
      { bucket: 'direct-bucket.appspot.com', rulesPath: join(dir, 'allowAll.rules') },
      { bucket: 'fake-project-id-2.appspot.com', rulesPath: join(dir, 'allowAll.rules') },
    ]);
    expect(() => storageBucketRules(cfg, 'another-project')).toThrow(/target "allowNone"/);
    const targets = await startStorageEmulator({
      projectId: 'fake-project-id',
      bucketRules,
      log: () => undefined,
    });
    try {
      expect(await anonymousUpload(targets.url, 'fake-project-id.appspot.com')).toBe(403);
      expect(await anonymousUpload(targets.url, 'fake-project-id-2.appspot.com')).toBe(200);
      expect(await anonymousUpload(targets.url, 'direct-bucket.appspot.com')).toBe(200);
    } finally {
      await targets.stop();
    }
  });
});
