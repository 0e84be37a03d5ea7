/**
 * The storage operations both front ends share: every object read and write goes through here,
 * so rules, validation, download tokens and trigger events behave the same for `/v0` and GCS.
 * Order of checks follows firebase-tools (`storage/files.js`): rules first (with `resource` null
 * for a missing object), then existence, so a denied caller cannot probe for objects.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Caller } from './auth.js';
import type { BlobDigest, BlobWriter } from './blob-writer.js';
import { crc32cToBase64 } from './crc32c.js';
import { badRequest, HttpError, permissionDenied } from './errors.js';
import {
  applyCopyOverrides,
  applyPatch,
  type MetadataPatch,
  type ObjectMetadata,
  toGcsJson,
  toRulesResource,
} from './metadata.js';
import { InvalidNameError, validateObjectName } from './names.js';
import type { ListOptions, ListResult, ObjectStore, StoredObject } from './object-store.js';
import { checkPreconditions, type Preconditions } from './preconditions.js';
import type { RulesGate } from './rules-gate.js';
import type { StorageAction, TriggerDispatcher } from './triggers.js';

export interface FinalizeInput {
  bucket: string;
  name: string;
  patch: MetadataPatch;
  writer: BlobWriter;
  caller: Caller;
  /** Content type of the data itself (multipart data part, media upload header). */
  dataContentType?: string | undefined;
  /** Firebase uploads get a download token (FT `finalizeOneShotUpload`); GCS uploads do not. */
  addDownloadToken: boolean;
  /** Client-declared hashes (metadata `md5Hash`/`crc32c` or `X-Goog-Hash`); a mismatch is 400. */
  expected?: { md5Hash?: string | undefined; crc32c?: string | undefined };
  /** GCS `ifGenerationMatch` & co. on the object being replaced; checked right before it is. */
  preconditions?: Preconditions | undefined;
}

export type UploadStartInput = Omit<FinalizeInput, 'writer' | 'expected'> & {
  /** From `X-Goog-Upload-Header-Content-Length` / `X-Upload-Content-Length`, when sent. */
  declaredSize: number | undefined;
};

const EMPTY_DIGEST: BlobDigest = { size: 0, md5Hash: createHash('md5').digest('base64'), crc32c: 0 };

/** The object a finished upload becomes: data content type, then the client's metadata on top. */
function uploadMetadata(
  input: Omit<FinalizeInput, 'writer' | 'caller' | 'expected' | 'preconditions'>,
  digest: BlobDigest,
  generation: number,
  at: Date,
): ObjectMetadata {
  const now = at.toISOString();
  const base: ObjectMetadata = {
    bucket: input.bucket,
    name: input.name,
    generation,
    metageneration: 1,
    size: digest.size,
    md5Hash: digest.md5Hash,
    crc32c: digest.crc32c,
    contentType: input.dataContentType || 'application/octet-stream',
    customMetadata: {},
    downloadTokens: [],
    timeCreated: now,
    updated: now,
    storageClass: 'STANDARD',
  };
  const meta = applyPatch(base, {
    ...input.patch,
    contentType: input.patch.contentType ?? base.contentType,
  });
  if (input.addDownloadToken) {
    if (meta.downloadTokens.length === 0) meta.downloadTokens = [randomUUID()];
    // Firebase uploads are stored `inline` unless the client said otherwise (firebase-tools
    // `finalizeOneShotUpload`); objects written through GCS keep no contentDisposition at all.
    if (input.patch.contentDisposition === undefined) meta.contentDisposition = 'inline';
  }
  return meta;
}

export class StorageService {
  constructor(
    readonly store: ObjectStore,
    readonly rules: RulesGate,
    private readonly triggers: TriggerDispatcher,
    private readonly baseUrl: () => string,
  ) {}

  validateName(name: string): void {
    try {
      validateObjectName(name);
    } catch (err) {
      if (err instanceof InvalidNameError) throw badRequest(err.message);
      throw err;
    }
  }

  /** Turn a finished upload into the object's new generation, or discard it. */
  async finalizeUpload(input: FinalizeInput): Promise<ObjectMetadata> {
    try {
      this.validateName(input.name);
      const digest = input.writer.digest();
      const exp = input.expected;
      if (exp?.md5Hash && exp.md5Hash !== digest.md5Hash) {
        throw badRequest(
          `Provided MD5 hash "${exp.md5Hash}" doesn't match calculated MD5 hash "${digest.md5Hash}".`,
        );
      }
      if (exp?.crc32c && exp.crc32c !== crc32cToBase64(digest.crc32c)) {
        throw badRequest(
          `Provided CRC32C "${exp.crc32c}" doesn't match calculated CRC32C "${crc32cToBase64(digest.crc32c)}".`,
        );
      }
      const at = new Date();
      const meta = uploadMetadata(input, digest, this.store.nextGeneration(), at);
      await this.checkWrite(input.caller, meta, at);
      const { preconditions } = input;
      await this.store.commit(
        meta,
        input.writer,
        preconditions ? (current) => checkPreconditions(current?.meta, preconditions) : undefined,
      );
      this.emit('finalize', meta);
      return meta;
    } catch (err) {
      await input.writer.discard();
      throw err;
    }
  }

  /**
   * The rules check at the start of a resumable upload, as the real service makes it with what it
   * knows then: `request.resource` from the declared metadata, `size` the declared total and the
   * hashes of empty content; without a declared total, only finalize checks. Finalize checks again
   * with the real bytes.
   */
  async checkUploadStart(input: UploadStartInput): Promise<void> {
    // Fail fast on preconditions that already do not hold; finalize checks them again.
    checkPreconditions(this.store.get(input.bucket, input.name)?.meta, input.preconditions);
    // Without a declared size the rules cannot be judged yet (size 0 would refuse a rule wanting
    // bytes); finalize decides with the real ones.
    if (input.caller.admin || input.declaredSize === undefined) return;
    const at = new Date();
    const declared: BlobDigest = { ...EMPTY_DIGEST, size: input.declaredSize };
    await this.checkWrite(input.caller, uploadMetadata(input, declared, this.store.nextGeneration(), at), at);
  }

  /** `create`, or `update` when the object exists; 403 when the rules deny. */
  private async checkWrite(caller: Caller, meta: ObjectMetadata, at: Date): Promise<void> {
    const existing = this.store.get(meta.bucket, meta.name);
    const decision = await this.rules.check({
      method: existing ? 'update' : 'create',
      bucket: meta.bucket,
      name: meta.name,
      caller,
      resource: existing ? toRulesResource(existing.meta) : null,
      requestResource: toRulesResource(meta),
      time: at,
    });
    if (!decision.allowed) throw permissionDenied('WRITE');
  }

  /** Metadata or bytes: `get`. A matching download token skips the rules (FT `getObject`). */
  async read(
    bucket: string,
    name: string,
    caller: Caller,
    token?: string,
    preconditions?: Preconditions,
  ): Promise<StoredObject> {
    this.validateName(name);
    const obj = this.store.get(bucket, name);
    const tokenOk = token !== undefined && token !== '' && !!obj?.meta.downloadTokens.includes(token);
    if (!tokenOk) {
      const decision = await this.rules.check({
        method: 'get',
        bucket,
        name,
        caller,
        resource: obj ? toRulesResource(obj.meta) : null,
      });
      if (!decision.allowed) throw permissionDenied('READ');
    }
    if (!obj) throw new HttpError(404, 'Not Found.');
    checkPreconditions(obj.meta, preconditions, true);
    return obj;
  }

  /**
   * The Firebase API hands out a download token on the first metadata read of an object without
   * one (e.g. written through the GCS API), so admin `getDownloadURL` works on it. Production's
   * metadata-get handler writes the token to GCS and so fires metadata-update functions (a Firebase
   * Storage engineer on firebase/firebase-tools#4278); a GCS metadata update increments the
   * metageneration (GCS docs, generation and metageneration).
   */
  ensureDownloadToken(obj: StoredObject): StoredObject {
    if (obj.meta.downloadTokens.length > 0) return obj;
    const next: ObjectMetadata = {
      ...obj.meta,
      downloadTokens: [randomUUID()],
      metageneration: obj.meta.metageneration + 1,
      updated: new Date().toISOString(),
    };
    const stored = this.store.updateMeta(next);
    if (!stored) return obj;
    this.emit('metadataUpdate', next);
    return stored;
  }

  /** Admin token minting / revocation (`create_token` / `delete_token`); a metadata change. */
  changeTokens(bucket: string, name: string, change: (current: string[]) => string[]): ObjectMetadata {
    const obj = this.store.get(bucket, name);
    if (!obj) throw new HttpError(404, 'Not Found.');
    const next: ObjectMetadata = {
      ...obj.meta,
      downloadTokens: change(obj.meta.downloadTokens),
      metageneration: obj.meta.metageneration + 1,
      updated: new Date().toISOString(),
    };
    this.store.updateMeta(next);
    this.emit('metadataUpdate', next);
    return next;
  }

  async updateMetadata(
    bucket: string,
    name: string,
    patch: MetadataPatch,
    caller: Caller,
    preconditions?: Preconditions,
  ): Promise<ObjectMetadata> {
    this.validateName(name);
    const obj = this.store.get(bucket, name);
    let next: ObjectMetadata | undefined;
    const at = new Date();
    if (obj) {
      next = applyPatch(obj.meta, patch);
      next.metageneration = obj.meta.metageneration + 1;
      next.updated = at.toISOString();
    }
    const decision = await this.rules.check({
      method: 'update',
      bucket,
      name,
      caller,
      resource: obj ? toRulesResource(obj.meta) : null,
      requestResource: next ? toRulesResource(next) : null,
      time: at,
    });
    if (!decision.allowed) throw permissionDenied('WRITE');
    // Re-read: the object may have been replaced or deleted while the rules were evaluated.
    const current = this.store.get(bucket, name);
    if (!current || !next) throw new HttpError(404, 'Not Found.');
    checkPreconditions(current.meta, preconditions);
    if (current !== obj) {
      next = applyPatch(current.meta, patch);
      next.metageneration = current.meta.metageneration + 1;
      next.updated = new Date().toISOString();
    }
    this.store.updateMeta(next);
    this.emit('metadataUpdate', next);
    return next;
  }

  async delete(bucket: string, name: string, caller: Caller, preconditions?: Preconditions): Promise<void> {
    this.validateName(name);
    const obj = this.store.get(bucket, name);
    const decision = await this.rules.check({
      method: 'delete',
      bucket,
      name,
      caller,
      resource: obj ? toRulesResource(obj.meta) : null,
    });
    if (!decision.allowed) throw permissionDenied('WRITE');
    const current = this.store.get(bucket, name);
    if (current) checkPreconditions(current.meta, preconditions);
    const removed = this.store.delete(bucket, name);
    if (!removed) throw new HttpError(404, 'Not Found.');
    this.emit('delete', removed.meta);
  }

  /** `prefix` must be empty or end in the delimiter for rules paths to make sense (FT firebase.js). */
  async list(bucket: string, opts: ListOptions, caller: Caller): Promise<ListResult> {
    const decision = await this.rules.check({
      method: 'list',
      bucket,
      name: opts.prefix.replace(/\/+$/, ''),
      caller,
    });
    if (!decision.allowed) throw permissionDenied('LIST');
    return this.store.list(bucket, opts);
  }

  /**
   * Admin copy (GCS `rewriteTo`/`copyTo`): bytes shared, metadata from the source unless the
   * request body overrides it (`applyCopyOverrides`). `conditions.source` apply to the source
   * object, `conditions.destination` to the object the copy replaces.
   */
  async copy(
    src: { bucket: string; name: string },
    dst: { bucket: string; name: string },
    patch: MetadataPatch,
    conditions: { source?: Preconditions | undefined; destination?: Preconditions | undefined } = {},
  ): Promise<ObjectMetadata | undefined> {
    this.validateName(dst.name);
    const source = this.store.get(src.bucket, src.name);
    if (!source) return undefined;
    checkPreconditions(source.meta, conditions.source);
    checkPreconditions(this.store.get(dst.bucket, dst.name)?.meta, conditions.destination);
    const blobPath = await this.store.cloneBlob(source);
    const now = new Date().toISOString();
    const meta = applyCopyOverrides(
      {
        ...source.meta,
        bucket: dst.bucket,
        name: dst.name,
        generation: this.store.nextGeneration(),
        metageneration: 1,
        timeCreated: now,
        updated: now,
      },
      patch,
    );
    const { destination } = conditions;
    this.store.putGuarded(
      meta,
      blobPath,
      destination ? (current) => checkPreconditions(current?.meta, destination) : undefined,
    );
    this.emit('finalize', meta);
    return meta;
  }

  private emit(action: StorageAction, meta: ObjectMetadata): void {
    this.triggers.dispatch(action, toGcsJson(meta, this.baseUrl()));
  }
}
