/**
 * What the intake trigger does with one finalized object, written against two small interfaces so
 * it can be tested without Firebase. The wiring to firebase-admin is in intake-upload.ts.
 *
 * Idempotence: the record `uploads/{uploadId}` is created once (in a transaction, `create()`
 * semantics) and carries the object's generation. A retried event for the same generation finds
 * it and only repeats the side effects that may not have happened yet (deleting rejected bytes,
 * removing the download tokens of accepted ones). An
 * event for any other object claiming the same upload id (another member reusing someone's id, or
 * an overwrite that the Storage rules should have refused) cannot be recorded, so its bytes are
 * deleted and the existing record is left alone.
 */
import { canonicalDeclaredType, MAX_FILE_BYTES } from '../intake/policy.js';
import { REASONS } from '../intake/reasons.js';
import { safeName } from '../intake/safe-name.js';
import { decide, type Verdict } from '../intake/verdict.js';

/** The parts of a Storage object event the intake reads. Sizes and generations arrive as strings in the JSON of real events. */
export interface FinalizedObject {
  name: string;
  bucket: string;
  generation: number | string;
  size: number | string;
  contentType?: string | undefined;
}

export interface UploadRecord {
  owner: string;
  /** As the member named the object; may hold anything a Storage object name may. */
  name: string;
  /** The name to show and save (intake/safe-name.ts): cleaned, with the detected type's extension. */
  safeName: string;
  path: string;
  declaredType: string | null;
  detectedType: string | null;
  size: number;
  sha256: string | null;
  status: 'accepted' | 'rejected';
  reason: string | null;
  /** Which bytes the verdict is about; what makes retries recognisable. */
  generation: string;
}

export interface UploadRecords {
  /** The stored record's path, generation and status, if any. */
  get(uploadId: string): Promise<Pick<UploadRecord, 'path' | 'generation' | 'status'> | undefined>;
  /** Creates the record (with a server timestamp) unless one exists; returns the existing one then. */
  create(
    uploadId: string,
    record: UploadRecord,
  ): Promise<Pick<UploadRecord, 'path' | 'generation' | 'status'> | undefined>;
}

export interface UploadObjects {
  /** The bytes of exactly this generation, at most `cap` of them; undefined when it no longer exists. */
  read(name: string, generation: string, cap: number): Promise<Uint8Array | undefined>;
  /** Deletes exactly this generation; a missing object or a newer generation is not an error. */
  delete(name: string, generation: string): Promise<void>;
  /**
   * Removes the object's Firebase download tokens (custom metadata `firebaseStorageDownloadTokens`)
   * if this generation is still current; a missing object or a newer generation is not an error.
   */
  stripDownloadTokens(name: string, generation: string): Promise<void>;
}

export interface UploadPath {
  owner: string;
  uploadId: string;
  fileName: string;
}

/** Firestore document ids may not contain `/` and must not be `.` or `..`; keep ids boring. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** `uploads/{uid}/{uploadId}/{fileName}`, nothing deeper or shallower. */
export function parseUploadPath(name: string): UploadPath | undefined {
  const parts = name.split('/');
  if (parts.length !== 4 || parts[0] !== 'uploads') return undefined;
  const [, owner, uploadId, fileName] = parts as [string, string, string, string];
  if (!ID.test(owner) || !ID.test(uploadId) || fileName.length === 0) return undefined;
  return { owner, uploadId, fileName };
}

export type Outcome = 'ignored' | 'accepted' | 'rejected' | 'already-checked' | 'conflict' | 'gone';

export async function handleFinalizedObject(
  object: FinalizedObject,
  records: UploadRecords,
  objects: UploadObjects,
): Promise<Outcome> {
  const path = parseUploadPath(object.name);
  if (!path) return 'ignored';
  const generation = String(object.generation);

  const existing = await records.get(path.uploadId);
  if (existing) return settleExisting(existing, object.name, generation, objects);

  const declaredSize = Number(object.size);
  let verdict: Verdict | (Omit<Verdict, 'sha256'> & { sha256: null });
  if (!(declaredSize <= MAX_FILE_BYTES)) {
    // Refused from the metadata alone: the bytes are never downloaded, so there is no hash.
    verdict = {
      status: 'rejected',
      reason: REASONS.tooLarge,
      declaredType: canonicalDeclaredType(object.contentType) ?? object.contentType ?? null,
      detectedType: null,
      size: Number.isFinite(declaredSize) ? declaredSize : 0,
      sha256: null,
    };
  } else {
    const bytes = await objects.read(object.name, generation, MAX_FILE_BYTES + 1);
    // Deleted or replaced before we got to it: the replacement has an event of its own.
    if (!bytes) return 'gone';
    verdict = await decide({ bytes, declaredType: object.contentType });
  }

  const record: UploadRecord = {
    owner: path.owner,
    name: path.fileName,
    safeName: safeName(path.fileName, verdict.detectedType),
    path: object.name,
    declaredType: verdict.declaredType,
    detectedType: verdict.detectedType,
    size: verdict.size,
    sha256: verdict.sha256,
    status: verdict.status,
    reason: verdict.reason,
    generation,
  };
  const raced = await records.create(path.uploadId, record);
  if (raced) return settleExisting(raced, object.name, generation, objects);
  await settle(record.status, object.name, generation, objects);
  return record.status;
}

/**
 * What follows a recorded verdict. Rejected bytes are deleted. Accepted ones lose their download
 * tokens: the web SDK gives every upload one, and a URL carrying it reads the object with no
 * sign-in and no rules, so it would outlive the member's access (attachments are served by the
 * downloadFile function instead). Both run after the record is written, so a crash in between is
 * repaired by the retry, and both are idempotent.
 */
async function settle(
  status: UploadRecord['status'],
  name: string,
  generation: string,
  objects: UploadObjects,
): Promise<void> {
  if (status === 'rejected') await objects.delete(name, generation);
  else await objects.stripDownloadTokens(name, generation);
}

async function settleExisting(
  existing: Pick<UploadRecord, 'path' | 'generation' | 'status'>,
  name: string,
  generation: string,
  objects: UploadObjects,
): Promise<Outcome> {
  if (existing.path === name && existing.generation === generation) {
    // A retry: the first attempt may have died between recording and settling.
    await settle(existing.status, name, generation, objects);
    return 'already-checked';
  }
  console.warn(
    `intake: ${name}#${generation} reuses an upload id already recorded for ${existing.path}; deleting it`,
  );
  await objects.delete(name, generation);
  return 'conflict';
}
