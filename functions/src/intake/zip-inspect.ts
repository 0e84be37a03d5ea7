/**
 * Inspects a ZIP archive without extracting it: only the end-of-central-directory record, the
 * central directory and each entry's local header are read, never the entries' contents (except the
 * first bytes of each entry, to spot archives hidden under innocent names).
 *
 * Field offsets follow PKWARE's APPNOTE.TXT 6.3.10 (cited as "APPNOTE §x"). Sizes and ratios come
 * from what the archive declares: that is what an extracting tool trusts, so a lie in them is the
 * sender's problem, not the reader's.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { ZIP_LIMITS, type ZipLimits } from './policy.js';
import { REASONS } from './reasons.js';
import { collisionKey, entryNameProblem, isActiveContentName } from './zip-names.js';

/** Where an entry's data is and what the archive says it holds, for zip-verify.ts. */
export interface ZipContent {
  name: string;
  method: number;
  dataStart: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

export type ZipInspection =
  | { ok: true; entries: number; totalUncompressed: number; contents: ZipContent[] }
  | { ok: false; reason: string };

const SIG_LOCAL = 0x04034b50; // APPNOTE §4.3.7
const SIG_CENTRAL = 0x02014b50; // APPNOTE §4.3.12
const SIG_EOCD = 0x06054b50; // APPNOTE §4.3.16
const SIG_ZIP64_EOCD = 0x06064b50; // APPNOTE §4.3.14
const SIG_ZIP64_LOCATOR = 0x07064b50; // APPNOTE §4.3.15
const SIG_DATA_DESCRIPTOR = 0x08074b50; // APPNOTE §4.3.9.3

const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** Thrown by the bounds-checked reads below and turned into "damaged" at the module boundary. */
class Malformed extends Error {}

class Bytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  private need(offset: number, size: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.bytes.length)
      throw new Malformed();
  }
  u16(offset: number): number {
    this.need(offset, 2);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number): number {
    this.need(offset, 4);
    return this.view.getUint32(offset, true);
  }
  /** ZIP64 fields are 64-bit; beyond 2^53 precision no longer matters for limits of a few MB. */
  u64(offset: number): number {
    this.need(offset, 8);
    return Number(this.view.getBigUint64(offset, true));
  }
  slice(offset: number, size: number): Uint8Array {
    this.need(offset, size);
    return this.bytes.subarray(offset, offset + size);
  }
}

interface Eocd {
  offset: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the central directory must end: the ZIP64 EOCD record if there is one, else the EOCD. */
  cdEnd: number;
}

interface CentralEntry {
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localOffset: number;
  madeByHost: number;
  externalAttributes: number;
  zip64: boolean;
  /** Names from Info-ZIP Unicode Path extra fields, which extracting tools prefer (APPNOTE §4.6.9). */
  alternateNames: string[];
}

interface LocalRange {
  entry: CentralEntry;
  start: number;
  dataStart: number;
  /** Past the data and its data descriptor, if any. */
  end: number;
  nameMatches: boolean;
  sizesMatch: boolean;
  encrypted: boolean;
  alternateNames: string[];
}

/**
 * Finds the EOCD the way extracting tools do, scanning back from the end (APPNOTE §4.3.16: it is
 * last, followed only by its comment). A record whose comment does not reach exactly to the end of
 * the file means bytes were appended after the archive.
 */
function findEocd(r: Bytes): { offset: number; trailing: boolean } | undefined {
  const lowest = Math.max(0, r.length - EOCD_SIZE - MAX_COMMENT);
  let trailing: number | undefined;
  for (let at = r.length - EOCD_SIZE; at >= lowest; at--) {
    if (r.bytes[at] !== 0x50 || r.u32(at) !== SIG_EOCD) continue;
    const end = at + EOCD_SIZE + r.u16(at + 20);
    if (end === r.length) return { offset: at, trailing: false };
    if (end < r.length) trailing ??= at;
  }
  return trailing === undefined ? undefined : { offset: trailing, trailing: true };
}

/** True when a ZIP reader scanning from the end would find an archive in these bytes. */
export function containsZipDirectory(bytes: Uint8Array): boolean {
  try {
    const r = new Bytes(bytes);
    const lowest = Math.max(0, r.length - EOCD_SIZE - MAX_COMMENT);
    for (let at = r.length - EOCD_SIZE; at >= lowest; at--) {
      if (r.bytes[at] !== 0x50 || r.u32(at) !== SIG_EOCD) continue;
      const entries = r.u16(at + 10);
      const cdSize = r.u32(at + 12);
      // Tools such as Info-ZIP's unzip tolerate data prepended to an archive by looking just before
      // the EOCD as well as at the declared offset, so both count.
      if (entries === 0) return true;
      const candidates = [r.u32(at + 16), at - cdSize];
      if (candidates.some((c) => c >= 0 && c + 4 <= at && r.u32(c) === SIG_CENTRAL)) return true;
    }
    return false;
  } catch (error) {
    if (error instanceof Malformed) return false;
    throw error;
  }
}

function readEocd(r: Bytes): Eocd | { reason: string } {
  const found = findEocd(r);
  if (!found) return { reason: REASONS.zipDamaged };
  if (found.trailing) return { reason: REASONS.zipExtraData };
  const at = found.offset;
  // APPNOTE §4.3.16: disk numbers, entries on this disk / in total, CD size, CD offset.
  const disk = r.u16(at + 4);
  const cdDisk = r.u16(at + 6);
  const entriesHere = r.u16(at + 8);
  let entries = r.u16(at + 10);
  let cdSize = r.u32(at + 12);
  let cdOffset = r.u32(at + 16);
  let cdEnd = at;
  const needsZip64 = entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  const locatorAt = at - 20;
  if (locatorAt >= 0 && r.u32(locatorAt) === SIG_ZIP64_LOCATOR) {
    // APPNOTE §4.3.15: disk with the ZIP64 EOCD, its offset, total disks.
    if (r.u32(locatorAt + 4) !== 0 || r.u32(locatorAt + 16) > 1) return { reason: REASONS.zipSplit };
    const recordAt = r.u64(locatorAt + 8);
    if (r.u32(recordAt) !== SIG_ZIP64_EOCD) return { reason: REASONS.zipDamaged };
    // APPNOTE §4.3.14: size of record (excluding the first 12 bytes), versions, disks, counts.
    const recordEnd = recordAt + 12 + r.u64(recordAt + 4);
    if (recordEnd !== locatorAt) return { reason: REASONS.zipExtraData };
    if (r.u32(recordAt + 16) !== 0 || r.u32(recordAt + 20) !== 0) return { reason: REASONS.zipSplit };
    if (r.u64(recordAt + 24) !== r.u64(recordAt + 32)) return { reason: REASONS.zipSplit };
    entries = r.u64(recordAt + 32);
    cdSize = r.u64(recordAt + 40);
    cdOffset = r.u64(recordAt + 48);
    cdEnd = recordAt;
  } else if (needsZip64) {
    return { reason: REASONS.zipDamaged };
  } else if (disk !== 0 || cdDisk !== 0 || entriesHere !== entries) {
    return { reason: REASONS.zipSplit };
  }
  return { offset: at, entries, cdSize, cdOffset, cdEnd };
}

/**
 * Extra fields (APPNOTE §4.5): the ZIP64 extended information field (§4.5.3), which holds only the
 * saturated values, in the central directory; and, in either header, the Info-ZIP Unicode Path
 * field (§4.6.9), whose name Info-ZIP and 7-Zip extract under instead of the header's, so a
 * harmless header name could hide `../../x` there. Central extras must be well formed; local ones
 * are parsed leniently because aligners pad them.
 */
function readExtras(
  r: Bytes,
  extraStart: number,
  extraLength: number,
  names: string[],
  zip64Target: CentralEntry | undefined,
): void {
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = r.u16(at);
    const size = r.u16(at + 2);
    const body = at + 4;
    if (body + size > end) {
      if (zip64Target) throw new Malformed();
      return;
    }
    if (id === 0x0001 && zip64Target) {
      const entry = zip64Target;
      let field = body;
      const take = (): number => {
        if (field + 8 > body + size) throw new Malformed();
        const value = r.u64(field);
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localOffset === 0xffffffff) entry.localOffset = take();
      entry.zip64 = true;
    } else if (id === 0x7075 && size >= 5) {
      // version (1 byte), CRC-32 of the header name (4 bytes), then the UTF-8 name.
      names.push(utf8.decode(r.slice(body + 5, size - 5)));
    }
    at = body + size;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

function readCentralDirectory(r: Bytes, eocd: Eocd): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let at = eocd.cdOffset;
  for (let i = 0; i < eocd.entries; i++) {
    if (r.u32(at) !== SIG_CENTRAL) throw new Malformed();
    // APPNOTE §4.3.12 / §4.4: fixed part is 46 bytes.
    const flags = r.u16(at + 8);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    const nameBytes = r.slice(at + 46, nameLength);
    // APPNOTE §4.4.4 bit 11: names are UTF-8; otherwise IBM 437, whose ASCII half is all that the
    // path checks look at, so latin1 is a faithful enough reading.
    const name = (flags & 0x0800 ? utf8 : latin1).decode(nameBytes);
    const entry: CentralEntry = {
      name,
      nameBytes,
      flags,
      method: r.u16(at + 10),
      crc32: r.u32(at + 16),
      compressedSize: r.u32(at + 20),
      uncompressedSize: r.u32(at + 24),
      localOffset: r.u32(at + 42),
      madeByHost: r.u16(at + 4) >> 8,
      externalAttributes: r.u32(at + 38),
      zip64: false,
      alternateNames: [],
    };
    if (r.u16(at + 34) !== 0 && r.u16(at + 34) !== 0xffff) throw new Malformed();
    readExtras(r, at + 46 + nameLength, extraLength, entry.alternateNames, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (at !== eocd.cdOffset + eocd.cdSize) throw new Malformed();
  return entries;
}

function readLocal(r: Bytes, entry: CentralEntry): LocalRange {
  const start = entry.localOffset;
  if (r.u32(start) !== SIG_LOCAL) throw new Malformed();
  // APPNOTE §4.3.7 / §4.4: fixed part is 30 bytes.
  const flags = r.u16(start + 6);
  const method = r.u16(start + 8);
  const compressed = r.u32(start + 18);
  const uncompressed = r.u32(start + 22);
  const nameLength = r.u16(start + 26);
  const extraLength = r.u16(start + 28);
  const nameBytes = r.slice(start + 30, nameLength);
  const dataStart = start + 30 + nameLength + extraLength;
  if (dataStart + entry.compressedSize > r.length) throw new Malformed();
  const alternateNames: string[] = [];
  readExtras(r, start + 30 + nameLength, extraLength, alternateNames, undefined);
  let end = dataStart + entry.compressedSize;
  // APPNOTE §4.4.4 bit 3: sizes follow the data in a descriptor (§4.3.9), with an optional
  // signature, 8-byte sizes for ZIP64 entries.
  const deferred = (flags & 0x0008) !== 0;
  if (deferred) {
    const sized = entry.zip64 ? 20 : 12;
    end += end + 4 <= r.length && r.u32(end) === SIG_DATA_DESCRIPTOR ? sized + 4 : sized;
  }
  const sizesMatch =
    method === entry.method &&
    (deferred ||
      ((compressed === entry.compressedSize || compressed === 0xffffffff) &&
        (uncompressed === entry.uncompressedSize || uncompressed === 0xffffffff)));
  return {
    entry,
    start,
    dataStart,
    end,
    nameMatches:
      nameBytes.length === entry.nameBytes.length && nameBytes.every((b, i) => b === entry.nameBytes[i]),
    sizesMatch,
    encrypted: (flags & 0x0041) !== 0,
    alternateNames,
  };
}

/**
 * Names an extracting tool could be tricked by: absolute paths, drive letters, `..` segments,
 * backslashes (Windows tools treat them as separators, so `a\..\..\x` escapes), colons (drive
 * letters, and NTFS alternate data streams such as `notes.txt:hidden`), control characters.
 */
export function isUnsafePath(name: string): boolean {
  if (name.length === 0) return true;
  if (name.startsWith('/') || name.includes('\\') || name.includes(':')) return true;
  if (/\p{Cc}/u.test(name)) return true;
  return name.split('/').some((segment) => segment === '..');
}

const ARCHIVE_EXTENSIONS =
  /\.(zip|zipx|jar|war|ear|apk|aab|ipa|xpi|7z|rar|tar|tgz|tbz2?|txz|tzst|gz|gzip|bz2|xz|lz|lzma|lz4|zst|z|cab|iso|img|dmg|vhdx?|vmdk|wim|cpio|rpm|deb|arj|lzh|lha|ace|sit|sitx|zoo|pea|squashfs)$/i;

/** Leading bytes of the archive formats an extracting tool (or a curious human) would open again. */
const ARCHIVE_MAGIC: ReadonlyArray<{ offset: number; bytes: readonly number[] }> = [
  { offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] }, // ZIP
  { offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06] }, // empty ZIP
  { offset: 0, bytes: [0x50, 0x4b, 0x07, 0x08] }, // spanned ZIP
  { offset: 0, bytes: [0x1f, 0x8b] }, // gzip
  { offset: 0, bytes: [0x42, 0x5a, 0x68] }, // bzip2
  { offset: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }, // xz
  { offset: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] }, // zstd
  { offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] }, // 7z
  { offset: 0, bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] }, // RAR
  { offset: 0, bytes: [0x4d, 0x53, 0x43, 0x46] }, // CAB
  { offset: 257, bytes: [0x75, 0x73, 0x74, 0x61, 0x72] }, // tar ("ustar")
];

function looksLikeArchive(head: Uint8Array): boolean {
  return ARCHIVE_MAGIC.some(
    ({ offset, bytes }) =>
      head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b),
  );
}

/** Enough output for every signature above, including tar's at offset 257. */
const HEAD_BYTES = 512;

/**
 * The first bytes of an entry. Stored entries are read as they are; deflated ones are inflated from
 * a bounded prefix of their data, with the output capped, so a hostile stream costs at most a few KB.
 */
function entryHead(r: Bytes, local: LocalRange): Uint8Array | undefined {
  const available = Math.min(local.entry.compressedSize, r.length - local.dataStart);
  if (available <= 0) return undefined;
  if (local.entry.method === 0) return r.slice(local.dataStart, Math.min(available, HEAD_BYTES));
  if (local.entry.method !== 8) return undefined;
  try {
    return inflateRawSync(r.slice(local.dataStart, Math.min(available, 4096)), {
      finishFlush: constants.Z_SYNC_FLUSH, // a prefix of a stream is not an error
      maxOutputLength: 64 * 1024,
    });
  } catch {
    // Either the prefix inflates to more than the cap (not a problem for a signature check: take
    // what a smaller prefix gives) or the stream is corrupt, which a reader would report itself.
    try {
      return inflateRawSync(r.slice(local.dataStart, Math.min(available, 64)), {
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: 64 * 1024,
      });
    } catch {
      return undefined;
    }
  }
}

/** Unix `S_IFLNK` in the high half of the external attributes, for archives made on Unix (§4.4.2). */
function isSymlink(entry: CentralEntry): boolean {
  return entry.madeByHost === 3 && ((entry.externalAttributes >>> 16) & 0o170000) === 0o120000;
}

/** The first reason to refuse one name an entry may be extracted under, if any. */
function nameProblem(name: string): string | undefined {
  return isUnsafePath(name) ? REASONS.zipUnsafePath(name) : entryNameProblem(name);
}

/**
 * Runs the checks in a fixed order, most dangerous first, and reports the first failure: structure,
 * entry count, encryption, unsafe or deceptive names (zip-names.ts), overlapping entries,
 * header/directory disagreement, names that collide, compression method, per-entry ratio, total
 * size, nested archives, programs and scripts, stray data.
 */
export function inspectZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): ZipInspection {
  try {
    return inspect(new Bytes(bytes), limits);
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: REASONS.zipDamaged };
    throw error;
  }
}

function inspect(r: Bytes, limits: ZipLimits): ZipInspection {
  const eocd = readEocd(r);
  if ('reason' in eocd) return { ok: false, reason: eocd.reason };
  if (eocd.entries > limits.maxEntries) return { ok: false, reason: REASONS.zipTooManyEntries };
  if (eocd.cdOffset + eocd.cdSize > eocd.cdEnd) throw new Malformed();
  const entries = readCentralDirectory(r, eocd);

  // APPNOTE §4.4.4 bits 0 (encrypted) and 6 (strong encryption); method 99 is WinZip AES.
  if (entries.some((e) => (e.flags & 0x0041) !== 0 || e.method === 99)) {
    return { ok: false, reason: REASONS.zipEncrypted };
  }
  for (const e of entries) {
    for (const name of [e.name, ...e.alternateNames]) {
      const problem = nameProblem(name);
      if (problem) return { ok: false, reason: problem };
    }
    if (isSymlink(e)) return { ok: false, reason: REASONS.zipSymlink(e.name) };
  }

  const locals = entries.map((e) => readLocal(r, e));
  if (locals.some((l) => l.encrypted)) return { ok: false, reason: REASONS.zipEncrypted };
  for (const name of locals.flatMap((l) => l.alternateNames)) {
    const problem = nameProblem(name);
    if (problem) return { ok: false, reason: problem };
  }
  // Entries sharing or reaching into each other's bytes are how non-recursive zip bombs
  // (Fifield, "A better zip bomb", 2019) multiply one compressed kernel into many outputs.
  const byStart = [...locals].sort((a, b) => a.start - b.start);
  let previousEnd = 0;
  for (const l of byStart) {
    if (l.start < previousEnd) return { ok: false, reason: REASONS.zipOverlap };
    previousEnd = l.end;
  }
  if (previousEnd > eocd.cdOffset) return { ok: false, reason: REASONS.zipOverlap };
  if (locals.some((l) => !l.nameMatches || !l.sizesMatch))
    return { ok: false, reason: REASONS.zipInconsistent };

  // Every name an entry may be extracted under (extracting tools differ on which they prefer) is
  // compared with every other entry's, as the file systems of Windows and macOS compare them.
  const owners = new Map<string, number>();
  for (const [index, l] of locals.entries()) {
    for (const name of new Set([l.entry.name, ...l.entry.alternateNames, ...l.alternateNames])) {
      const key = collisionKey(name);
      const owner = owners.get(key);
      if (owner !== undefined && owner !== index) return { ok: false, reason: REASONS.zipDuplicate(name) };
      owners.set(key, index);
    }
  }
  for (const e of entries) {
    if (e.method !== 0 && e.method !== 8) return { ok: false, reason: REASONS.zipMethod(e.name) };
    if (e.method === 0 && e.compressedSize !== e.uncompressedSize) throw new Malformed();
  }

  let total = 0;
  for (const e of entries) {
    if (e.uncompressedSize > limits.maxRatio * e.compressedSize)
      return { ok: false, reason: REASONS.zipRatio(e.name) };
  }
  for (const e of entries) {
    total += e.uncompressedSize;
    if (total > limits.maxTotalUncompressed) return { ok: false, reason: REASONS.zipTooBig };
  }

  for (const l of locals) {
    const names = [l.entry.name, ...l.entry.alternateNames, ...l.alternateNames];
    const archiveName = names.find((name) => !name.endsWith('/') && ARCHIVE_EXTENSIONS.test(name));
    if (archiveName !== undefined) return { ok: false, reason: REASONS.zipNested(archiveName) };
  }
  for (const l of locals) {
    const head = entryHead(r, l);
    if (head && looksLikeArchive(head)) return { ok: false, reason: REASONS.zipNested(l.entry.name) };
  }
  for (const l of locals) {
    const names = [l.entry.name, ...l.entry.alternateNames, ...l.alternateNames];
    const activeName = names.find(isActiveContentName);
    if (activeName !== undefined) return { ok: false, reason: REASONS.zipActiveContent(activeName) };
  }

  // A well-formed archive is its entries back to back, then the directory: anything else is room
  // for a second file format (a polyglot) or for bytes no listing shows.
  let expected = 0;
  for (const l of byStart) {
    if (l.start !== expected) return { ok: false, reason: REASONS.zipExtraData };
    expected = l.end;
  }
  if (expected !== eocd.cdOffset || eocd.cdOffset + eocd.cdSize !== eocd.cdEnd) {
    return { ok: false, reason: REASONS.zipExtraData };
  }
  const contents = locals.map(({ entry, dataStart }) => ({
    name: entry.name,
    method: entry.method,
    dataStart,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    crc32: entry.crc32,
  }));
  return { ok: true, entries: entries.length, totalUncompressed: total, contents };
}
