/**
 * Object metadata: the stored record, validation of client-supplied metadata, and the three
 * outward shapes (Firebase `/v0` JSON, GCS JSON API `storage#object`, rules `resource`).
 * Field lists follow firebase-tools `lib/emulator/storage/metadata.js` (OutgoingFirebaseMetadata,
 * CloudStorageObjectMetadata, asRulesResource) and the GCS object resource reference
 * (https://cloud.google.com/storage/docs/json_api/v1/objects#resource).
 */
import { createHash } from 'node:crypto';
import { crc32cToBase64 } from './crc32c.js';
import { badRequest } from './errors.js';

export interface ObjectMetadata {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  size: number;
  md5Hash: string;
  crc32c: number;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  customTime?: string;
  customMetadata: Record<string, string>;
  downloadTokens: string[];
  timeCreated: string;
  updated: string;
  storageClass: string;
}

/** Writable fields as a client sends them; `null` removes a field (PATCH semantics). */
export interface MetadataPatch {
  contentType?: string | null;
  contentEncoding?: string | null;
  contentDisposition?: string | null;
  contentLanguage?: string | null;
  cacheControl?: string | null;
  customTime?: string | null;
  /** `null` clears all custom metadata; a `null` value removes one key. */
  metadata?: Record<string, string | null> | null;
}

/**
 * GCS caps custom metadata at 8 KiB (https://cloud.google.com/storage/quotas#objects); each
 * standard field is a header value in GCS, so a generous 4 KiB cap keeps memory bounded.
 */
export const MAX_CUSTOM_METADATA_BYTES = 8 * 1024;
const MAX_FIELD_BYTES = 4 * 1024;
/** Optional HTTP-style fields, copied as-is between the API views and the export format. */
export const OPTIONAL_HTTP_FIELDS = [
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
  'customTime',
] as const;
const STRING_FIELDS = ['contentType', ...OPTIONAL_HTTP_FIELDS] as const;

/** The custom-metadata key that carries download tokens in the GCS view (FT metadata.js). */
export const TOKENS_KEY = 'firebaseStorageDownloadTokens';

/** Validate a JSON metadata body from any client. Unknown fields (name, bucket, size…) are ignored. */
export function parseMetadataPatch(raw: unknown): MetadataPatch {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Metadata must be a JSON object.');
  const src = raw as Record<string, unknown>;
  const patch: MetadataPatch = {};
  for (const field of STRING_FIELDS) {
    const v = src[field];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'string') throw badRequest(`Metadata field ${field} must be a string.`);
    if (typeof v === 'string' && Buffer.byteLength(v) > MAX_FIELD_BYTES) {
      throw badRequest(`Metadata field ${field} is too large.`);
    }
    if (field === 'customTime' && typeof v === 'string' && Number.isNaN(Date.parse(v))) {
      throw badRequest('customTime must be an RFC 3339 timestamp.');
    }
    patch[field] = v;
  }
  const m = src['metadata'];
  if (m === null) patch.metadata = null;
  else if (m !== undefined) {
    if (typeof m !== 'object' || Array.isArray(m)) throw badRequest('Custom metadata must be an object.');
    const out: Record<string, string | null> = {};
    let bytes = 0;
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (k.length === 0) throw badRequest('Custom metadata keys must not be empty.');
      // GCS stores every custom value as a string; numbers and booleans are stringified as
      // firebase-tools does, structured values are refused instead of being silently mangled.
      let value: string | null;
      if (v === null || typeof v === 'string') value = v;
      else if (typeof v === 'number' || typeof v === 'boolean') value = String(v);
      else throw badRequest(`Custom metadata value for ${k} must be a string.`);
      bytes += Buffer.byteLength(k) + (value === null ? 0 : Buffer.byteLength(value));
      out[k] = value;
    }
    if (bytes > MAX_CUSTOM_METADATA_BYTES) {
      throw badRequest(`Custom metadata exceeds ${MAX_CUSTOM_METADATA_BYTES} bytes.`);
    }
    patch.metadata = out;
  }
  return patch;
}

/** Apply a patch, returning a new record (metageneration and `updated` are the caller's job). */
export function applyPatch(meta: ObjectMetadata, patch: MetadataPatch): ObjectMetadata {
  const next: ObjectMetadata = {
    ...meta,
    customMetadata: { ...meta.customMetadata },
    downloadTokens: [...meta.downloadTokens],
  };
  for (const field of STRING_FIELDS) {
    const v = patch[field];
    if (v === undefined) continue;
    if (field === 'contentType') next.contentType = v ?? 'application/octet-stream';
    else if (v === null) delete next[field];
    else next[field] = v;
  }
  if (patch.metadata === null) next.customMetadata = {};
  else if (patch.metadata) {
    for (const [k, v] of Object.entries(patch.metadata)) {
      if (k === TOKENS_KEY) {
        // Setting the key replaces the token list; clearing it revokes every token.
        next.downloadTokens = v ? uniq(v.split(',').filter(Boolean)) : [];
      } else if (v === null) delete next.customMetadata[k];
      else next.customMetadata[k] = v;
    }
  }
  if (Buffer.byteLength(JSON.stringify(next.customMetadata)) > MAX_CUSTOM_METADATA_BYTES + 1024) {
    throw badRequest(`Custom metadata exceeds ${MAX_CUSTOM_METADATA_BYTES} bytes.`);
  }
  return next;
}

/**
 * The destination's metadata for a GCS copy or rewrite (objects.copy / objects.rewrite: metadata in
 * the request body overrides the source's). Standard fields given in the body replace the
 * source's (`null` removes one). A given `metadata` map is the destination's whole custom
 * metadata, not merged with the source's: keys set to `null` are kept as `""`, and the source's
 * download tokens (custom key `firebaseStorageDownloadTokens`) go with the replaced map unless the
 * body names its own. Without `metadata` in the body, custom metadata and tokens are copied.
 */
export function applyCopyOverrides(meta: ObjectMetadata, patch: MetadataPatch): ObjectMetadata {
  const { metadata, ...standard } = patch;
  const next = applyPatch(meta, standard);
  if (metadata === undefined) return next;
  next.customMetadata = {};
  next.downloadTokens = [];
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (k === TOKENS_KEY) next.downloadTokens = v ? uniq(v.split(',').filter(Boolean)) : [];
    else next.customMetadata[k] = v ?? '';
  }
  return next;
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

export function etagFor(generation: number, metageneration: number): string {
  return createHash('sha1').update(`${generation}/${metageneration}`).digest('base64').slice(0, 27);
}

/** `/v0` JSON: scalar numbers as strings, tokens comma-joined (STO `getMappings`). */
export function toFirebaseJson(m: ObjectMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: m.name,
    bucket: m.bucket,
    generation: String(m.generation),
    metageneration: String(m.metageneration),
    contentType: m.contentType,
    timeCreated: m.timeCreated,
    updated: m.updated,
    storageClass: m.storageClass,
    size: String(m.size),
    md5Hash: m.md5Hash,
    crc32c: crc32cToBase64(m.crc32c),
    etag: etagFor(m.generation, m.metageneration),
    downloadTokens: m.downloadTokens.join(','),
    contentEncoding: m.contentEncoding ?? 'identity',
  };
  // Absent when never set (objects written through GCS), as the service answers; the web SDK's
  // getMetadata() then has no contentDisposition key.
  if (m.contentDisposition !== undefined) out['contentDisposition'] = m.contentDisposition;
  if (Object.keys(m.customMetadata).length > 0) out['metadata'] = { ...m.customMetadata };
  if (m.contentLanguage !== undefined) out['contentLanguage'] = m.contentLanguage;
  if (m.cacheControl !== undefined) out['cacheControl'] = m.cacheControl;
  if (m.customTime !== undefined) out['customTime'] = m.customTime;
  return out;
}

/** GCS `storage#object`; `baseUrl` is the emulator origin, e.g. `http://127.0.0.1:9199`. */
export function toGcsJson(m: ObjectMetadata, baseUrl: string): Record<string, unknown> {
  const enc = encodeURIComponent(m.name);
  const out: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${m.bucket}/${m.name}/${m.generation}`,
    selfLink: `${baseUrl}/storage/v1/b/${m.bucket}/o/${enc}`,
    mediaLink: `${baseUrl}/download/storage/v1/b/${m.bucket}/o/${enc}?generation=${m.generation}&alt=media`,
    name: m.name,
    bucket: m.bucket,
    generation: String(m.generation),
    metageneration: String(m.metageneration),
    contentType: m.contentType,
    storageClass: m.storageClass,
    size: String(m.size),
    md5Hash: m.md5Hash,
    crc32c: crc32cToBase64(m.crc32c),
    etag: etagFor(m.generation, m.metageneration),
    timeCreated: m.timeCreated,
    updated: m.updated,
    timeStorageClassUpdated: m.timeCreated,
  };
  for (const f of OPTIONAL_HTTP_FIELDS) {
    if (m[f] !== undefined) out[f] = m[f];
  }
  const custom: Record<string, string> = { ...m.customMetadata };
  if (m.downloadTokens.length > 0) custom[TOKENS_KEY] = m.downloadTokens.join(',');
  if (Object.keys(custom).length > 0) out['metadata'] = custom;
  return out;
}

/**
 * `resource` / `request.resource` for the rules engine (FT `asRulesResource`; fields documented at
 * https://firebase.google.com/docs/reference/security/storage#resource). Timestamps are Dates so
 * the engine can type them as `timestamp`; sizes and generations are integers.
 */
export function toRulesResource(m: ObjectMetadata): Record<string, unknown> {
  return {
    name: m.name,
    bucket: m.bucket,
    generation: m.generation,
    metageneration: m.metageneration,
    size: m.size,
    timeCreated: new Date(m.timeCreated),
    updated: new Date(m.updated),
    md5Hash: m.md5Hash,
    crc32c: crc32cToBase64(m.crc32c),
    etag: etagFor(m.generation, m.metageneration),
    contentDisposition: m.contentDisposition ?? null,
    contentEncoding: m.contentEncoding ?? null,
    contentLanguage: m.contentLanguage ?? null,
    cacheControl: m.cacheControl ?? null,
    contentType: m.contentType,
    metadata: { ...m.customMetadata },
  };
}
