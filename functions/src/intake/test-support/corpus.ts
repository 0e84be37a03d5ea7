/**
 * Builds the intake test corpus byte by byte: well-formed files of every accepted type and the
 * hostile ones the intake must refuse. ZIP layouts follow PKWARE APPNOTE 6.3.10 (§4.3.7 local
 * header, §4.3.12 central directory, §4.3.16 end of central directory).
 */
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  data: Uint8Array;
  /** 0 = stored, 8 = deflated (default); any other number is written as is, data stored. */
  method?: number;
  /** Sizes and CRC after the data in a signed descriptor (APPNOTE §4.3.9), flag bit 3 set. */
  dataDescriptor?: boolean;
  /** Overrides of what the headers declare, for lying archives. */
  declaredUncompressed?: number;
  flags?: number;
  /** Upper byte of "version made by" (3 = Unix) and the external attributes (APPNOTE §4.4.2, §4.4.15). */
  madeByHost?: number;
  externalAttributes?: number;
  /** A different name in the central directory than in the local header. */
  centralName?: string;
  /** Extra fields (APPNOTE §4.5) for the local header and the central record. */
  localExtra?: Uint8Array;
  centralExtra?: Uint8Array;
}

export interface ZipOptions {
  /** Bytes before the first local header (e.g. `%PDF-…`) and after the EOCD. */
  prefix?: Uint8Array;
  suffix?: Uint8Array;
  /** EOCD comment; part of the archive, unlike `suffix`. */
  comment?: string;
  /** Forces the EOCD's entry count (to claim more entries than are present). */
  declaredEntries?: number;
  /** Writes a ZIP64 end of central directory record and locator (APPNOTE §4.3.14, §4.3.15). */
  zip64?: boolean;
}

const enc = new TextEncoder();

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v & 0xffff);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.bytes(b);
  }
  be16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.bytes(b);
  }
  be32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.bytes(b);
  }
  ascii(s: string): this {
    return this.bytes(Buffer.from(s, 'latin1'));
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function compress(entry: ZipEntrySpec): Uint8Array {
  return (entry.method ?? 8) === 8 ? deflateRawSync(entry.data, { level: 9 }) : entry.data;
}

const flagsOf = (entry: ZipEntrySpec): number =>
  (entry.flags ?? 0) | 0x0800 | (entry.dataDescriptor ? 0x0008 : 0);

function localHeader(w: Writer, entry: ZipEntrySpec, compressed: Uint8Array): void {
  const name = enc.encode(entry.name);
  const deferred = entry.dataDescriptor === true;
  w.u32(0x04034b50)
    .u16(20) // version needed: 2.0 (deflate)
    .u16(flagsOf(entry)) // bit 11: UTF-8 names
    .u16(entry.method ?? 8)
    .u16(0) // time
    .u16(0x21) // date: 1980-01-01
    .u32(deferred ? 0 : crc32(entry.data))
    .u32(deferred ? 0 : compressed.length)
    .u32(deferred ? 0 : (entry.declaredUncompressed ?? entry.data.length))
    .u16(name.length)
    .u16(entry.localExtra?.length ?? 0)
    .bytes(name)
    .bytes(entry.localExtra ?? new Uint8Array(0));
}

function dataDescriptor(w: Writer, entry: ZipEntrySpec, compressed: Uint8Array): void {
  w.u32(0x08074b50)
    .u32(crc32(entry.data))
    .u32(compressed.length)
    .u32(entry.declaredUncompressed ?? entry.data.length);
}

function centralRecord(
  w: Writer,
  entry: ZipEntrySpec,
  compressed: Uint8Array,
  localOffset: number,
  nameOverride?: string,
): void {
  const name = enc.encode(nameOverride ?? entry.centralName ?? entry.name);
  w.u32(0x02014b50)
    .u16(((entry.madeByHost ?? 0) << 8) | 20)
    .u16(20)
    .u16(flagsOf(entry))
    .u16(entry.method ?? 8)
    .u16(0)
    .u16(0x21)
    .u32(crc32(entry.data))
    .u32(compressed.length)
    .u32(entry.declaredUncompressed ?? entry.data.length)
    .u16(name.length)
    .u16(entry.centralExtra?.length ?? 0)
    .u16(0) // comment
    .u16(0) // disk start
    .u16(0) // internal attributes
    .u32(entry.externalAttributes ?? 0)
    .u32(localOffset)
    .bytes(name)
    .bytes(entry.centralExtra ?? new Uint8Array(0));
}

/** An Info-ZIP Unicode Path extra field (APPNOTE §4.6.9) naming the entry `unicodeName`. */
export function unicodePathExtra(unicodeName: string, headerName: string): Buffer {
  const name = enc.encode(unicodeName);
  return new Writer()
    .u16(0x7075)
    .u16(5 + name.length)
    .u8(1)
    .u32(crc32(enc.encode(headerName)))
    .bytes(name)
    .done();
}

function endOfCentralDirectory(
  w: Writer,
  entries: number,
  cdSize: number,
  cdOffset: number,
  comment = '',
): void {
  const c = enc.encode(comment);
  w.u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(Math.min(entries, 0xffff))
    .u16(Math.min(entries, 0xffff))
    .u32(cdSize)
    .u32(cdOffset)
    .u16(c.length)
    .bytes(c);
}

export function zip(entries: ZipEntrySpec[], options: ZipOptions = {}): Buffer {
  const w = new Writer();
  if (options.prefix) w.bytes(options.prefix);
  const offsets: number[] = [];
  const compressed = entries.map(compress);
  entries.forEach((entry, i) => {
    offsets.push(w.length);
    localHeader(w, entry, compressed[i]!);
    w.bytes(compressed[i]!);
    if (entry.dataDescriptor) dataDescriptor(w, entry, compressed[i]!);
  });
  const cdOffset = w.length;
  entries.forEach((entry, i) => centralRecord(w, entry, compressed[i]!, offsets[i]!));
  const cdSize = w.length - cdOffset;
  const count = options.declaredEntries ?? entries.length;
  if (options.zip64) {
    const recordAt = w.length;
    // APPNOTE §4.3.14: size of the remaining record is 44 bytes for version 1 without extensions.
    w.u32(0x06064b50).u32(44).u32(0).u16(45).u16(45).u32(0).u32(0);
    w.u32(count).u32(0).u32(count).u32(0).u32(cdSize).u32(0).u32(cdOffset).u32(0);
    w.u32(0x07064b50).u32(0).u32(recordAt).u32(0).u32(1);
    endOfCentralDirectory(w, 0xffff, 0xffffffff, 0xffffffff, options.comment);
  } else {
    endOfCentralDirectory(w, count, cdSize, cdOffset, options.comment);
  }
  if (options.suffix) w.bytes(options.suffix);
  return w.done();
}

/**
 * The non-recursive zip bomb shape (Fifield 2019, simplified to full overlap): one local header and
 * one compressed kernel, and `copies` central-directory records that all point at it, each listing
 * the kernel's full expanded size.
 */
export function overlappingZip(copies: number, kernel: Uint8Array = new Uint8Array(1024 * 1024)): Buffer {
  const entry: ZipEntrySpec = { name: 'kernel.txt', data: kernel };
  const compressed = compress(entry);
  const w = new Writer();
  localHeader(w, entry, compressed);
  w.bytes(compressed);
  const cdOffset = w.length;
  for (let i = 0; i < copies; i++)
    centralRecord(w, entry, compressed, 0, i === 0 ? 'kernel.txt' : `copy-${i}.txt`);
  endOfCentralDirectory(w, copies, w.length - cdOffset, cdOffset);
  return w.done();
}

/** A ZIP whose entry count is over the limit, with tiny stored entries. */
export function manyEntriesZip(count: number): Buffer {
  return zip(
    Array.from({ length: count }, (_, i) => ({ name: `f${i}.txt`, data: enc.encode('x'), method: 0 })),
  );
}

// ---------------------------------------------------------------------------------------------
// Images

function pngChunk(w: Writer, type: string, data: Uint8Array): void {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  w.be32(data.length).bytes(typed).be32(crc32(typed));
}

/**
 * A real, decodable RGB PNG of the given size (all black), optionally with other IDAT bytes or an
 * animation control chunk (which makes it an APNG of one frame).
 */
export function png(
  width: number,
  height: number,
  options: { idat?: Uint8Array; animated?: boolean } = {},
): Buffer {
  const w = new Writer();
  w.bytes(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a));
  const ihdr = new Writer().be32(width).be32(height).u8(8).u8(2).u8(0).u8(0).u8(0).done();
  pngChunk(w, 'IHDR', ihdr);
  if (options.animated) pngChunk(w, 'acTL', new Writer().be32(1).be32(0).done());
  const raw = options.idat ?? deflateSync(Buffer.alloc(height * (1 + width * 3)));
  pngChunk(w, 'IDAT', raw);
  pngChunk(w, 'IEND', new Uint8Array(0));
  return w.done();
}

/**
 * A baseline JPEG's marker structure (SOI, APP0/JFIF, DQT, SOF0, DHT, SOS, scan data, EOI) with the
 * given dimensions. The scan data is filler, which the header checks never decode.
 */
export function jpeg(width: number, height: number, scanBytes = 64): Buffer {
  const w = new Writer();
  w.bytes(Uint8Array.of(0xff, 0xd8));
  w.bytes(Uint8Array.of(0xff, 0xe0)).be16(16).ascii('JFIF\0').u8(1).u8(1).u8(0).be16(1).be16(1).u8(0).u8(0);
  w.bytes(Uint8Array.of(0xff, 0xdb)).be16(67).u8(0).bytes(new Uint8Array(64).fill(1));
  w.bytes(Uint8Array.of(0xff, 0xc0)).be16(11).u8(8).be16(height).be16(width).u8(1).u8(1).u8(0x11).u8(0);
  w.bytes(Uint8Array.of(0xff, 0xc4))
    .be16(20)
    .u8(0)
    .bytes(Uint8Array.of(1, ...new Array<number>(15).fill(0)))
    .u8(0);
  w.bytes(Uint8Array.of(0xff, 0xda)).be16(8).u8(1).u8(1).u8(0).u8(0).u8(63).u8(0);
  w.bytes(new Uint8Array(scanBytes).fill(0x2a));
  w.bytes(Uint8Array.of(0xff, 0xd9));
  return w.done();
}

/** A 1-frame GIF89a with a 2-colour palette. */
export function gif(width: number, height: number): Buffer {
  const w = new Writer();
  w.ascii('GIF89a').u16(width).u16(height).u8(0x80).u8(0).u8(0);
  w.bytes(Uint8Array.of(0, 0, 0, 255, 255, 255));
  w.u8(0x21)
    .u8(0xf9)
    .u8(4)
    .bytes(Uint8Array.of(0, 0, 0, 0))
    .u8(0); // graphic control extension
  w.u8(0x2c).u16(0).u16(0).u16(width).u16(height).u8(0);
  w.u8(2).u8(2).bytes(Uint8Array.of(0x44, 0x01)).u8(0);
  w.u8(0x3b);
  return w.done();
}

/** A lossless WebP (VP8L) header with the given dimensions. */
export function webp(width: number, height: number): Buffer {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
  const body = new Writer().u8(0x2f).u32(bits).bytes(new Uint8Array(8)).done();
  const chunk = new Writer().ascii('VP8L').u32(body.length).bytes(body);
  if (body.length & 1) chunk.u8(0);
  const inner = chunk.done();
  return new Writer()
    .ascii('RIFF')
    .u32(4 + inner.length)
    .ascii('WEBP')
    .bytes(inner)
    .done();
}

/** A lossy WebP (VP8) with an extended (VP8X) header declaring the canvas. */
export function webpExtended(width: number, height: number): Buffer {
  const vp8x = new Writer()
    .ascii('VP8X')
    .u32(10)
    .u32(0)
    .bytes(Buffer.from([(width - 1) & 0xff, ((width - 1) >> 8) & 0xff, ((width - 1) >> 16) & 0xff]))
    .bytes(Buffer.from([(height - 1) & 0xff, ((height - 1) >> 8) & 0xff, ((height - 1) >> 16) & 0xff]))
    .done();
  const frame = new Writer()
    .bytes(Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a))
    .u16(Math.min(width, 0x3fff))
    .u16(Math.min(height, 0x3fff))
    .bytes(new Uint8Array(10))
    .done();
  const vp8 = new Writer().ascii('VP8 ').u32(frame.length).bytes(frame).done();
  return new Writer()
    .ascii('RIFF')
    .u32(4 + vp8x.length + vp8.length)
    .ascii('WEBP')
    .bytes(vp8x)
    .bytes(vp8)
    .done();
}

// ---------------------------------------------------------------------------------------------
// Documents and programs

/** A minimal one-page PDF with a correct cross-reference table. */
export function pdf(text = 'Hello'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
  ];
  const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * A PDF of the given object bodies (object i is `objects[i - 1]`, written as latin1 so stream data
 * may be binary), with a classic cross-reference table and `/Root 1 0 R`; `trailer` adds entries to
 * the trailer dictionary (`/Encrypt 9 0 R`).
 */
export function pdfDocument(objects: string[], trailer = ''): Buffer {
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A stream object's body: `dictionary` entries, then `data` (latin1) with its /Length. */
export function pdfStream(dictionary: string, data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  return `<< ${dictionary} /Length ${bytes.length} >>\nstream\n${bytes.toString('latin1')}\nendstream`;
}

/**
 * An object stream (ISO 32000-1 §7.5.7) holding `objects`, numbered from `firstNumber`: the
 * number/offset pairs, then the objects. Deflated unless `filter` says otherwise (`''` for none);
 * `dictionary` adds or overrides entries (`/Type /ObjStm` is left out when it starts with `-Type`).
 */
export function pdfObjectStream(
  objects: string[],
  options: {
    firstNumber?: number;
    filter?: string;
    dictionary?: string;
    data?: (plain: Buffer) => Uint8Array;
  } = {},
): string {
  const { firstNumber = 100, filter = '/FlateDecode' } = options;
  let offset = 0;
  const pairs: string[] = [];
  for (const [i, o] of objects.entries()) {
    pairs.push(`${firstNumber + i} ${offset}`);
    offset += Buffer.byteLength(o, 'latin1') + 1;
  }
  const header = `${pairs.join(' ')}\n`;
  const plain = Buffer.from(header + objects.join('\n') + '\n', 'latin1');
  const encoded = options.data ? options.data(plain) : filter === '/FlateDecode' ? deflateSync(plain) : plain;
  const extra = options.dictionary ?? '';
  const type = extra.startsWith('-Type') ? '' : '/Type /ObjStm ';
  const filterEntry = filter ? `/Filter ${filter} ` : '';
  return pdfStream(
    `${type}/N ${objects.length} /First ${header.length} ${filterEntry}${extra.replace(/^-Type/, '')}`,
    encoded,
  );
}

/** The start of a Windows PE program: DOS header with `MZ`, stub, `PE\0\0` header. */
export function windowsProgram(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x8664, 0x84); // x86-64
  return b;
}

/** An ELF64 header (little-endian, x86-64 executable). */
export function linuxProgram(): Buffer {
  const b = Buffer.alloc(256);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(b, 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20);
  return b;
}

export function text(
  content = 'Bonjour, ceci est un fichier texte.\n\tÇa marche — même avec des accents.\r\n',
): Buffer {
  return Buffer.from(content, 'utf8');
}

/** Incompressible-looking bytes from a seeded generator, so sizes and ratios are predictable. */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
