/**
 * Streams an object's bytes into a temp file while computing size, MD5 and CRC32C, so large
 * uploads never sit in memory and hashes need no second pass. Each `append` is all-or-nothing:
 * a truncated or aborted request body rolls the file and the hashes back to the last complete
 * chunk, which is what lets a resumable upload continue after a failed chunk.
 */
import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { crc32cUpdate } from './crc32c.js';
import { HttpError } from './errors.js';

/** Writes are batched to about this many bytes to keep syscalls few without holding much memory. */
const FLUSH_BYTES = 1024 * 1024;

export interface BlobDigest {
  size: number;
  md5Hash: string;
  crc32c: number;
}

export class BlobWriter {
  private fh: FileHandle | undefined;
  private md5: Hash = createHash('md5');
  private crc = 0;
  private written = 0;
  private busy = false;
  private done = false;

  constructor(readonly path: string) {}

  get size(): number {
    return this.written;
  }

  get inUse(): boolean {
    return this.busy;
  }

  /**
   * Append everything `source` yields. Throws HttpError 413 (and writes nothing) when more than
   * `maxBytes` arrive; any error from `source` (client abort) also leaves the blob unchanged.
   */
  async append(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<number> {
    if (this.done) throw new HttpError(400, 'Upload is no longer active.');
    if (this.busy) throw new HttpError(409, 'Another request is writing to this upload.');
    this.busy = true;
    const startSize = this.written;
    const md5 = this.md5.copy();
    let crc = this.crc;
    let pos = startSize;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    try {
      this.fh ??= await open(this.path, 'w');
      const fh = this.fh;
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return;
        const batch = pending;
        const bytes = pendingBytes;
        pending = [];
        pendingBytes = 0;
        await fh.writev(batch, pos);
        pos += bytes;
      };
      for await (const chunk of source) {
        if (pos + pendingBytes + chunk.length - startSize > maxBytes) {
          throw new HttpError(413, `Upload chunk exceeds the maximum of ${maxBytes} bytes.`);
        }
        md5.update(chunk);
        crc = crc32cUpdate(crc, chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= FLUSH_BYTES) await flush();
      }
      await flush();
      this.md5 = md5;
      this.crc = crc;
      this.written = pos;
      return pos - startSize;
    } catch (err) {
      await this.fh?.truncate(startSize).catch(() => undefined);
      throw err;
    } finally {
      this.busy = false;
    }
  }

  async appendBuffer(data: Uint8Array): Promise<number> {
    return this.append([data], data.length);
  }

  /** Final hashes; only valid once no append is running. */
  digest(): BlobDigest {
    return {
      size: this.written,
      md5Hash: this.md5.copy().digest('base64'),
      crc32c: this.crc,
    };
  }

  async moveTo(dest: string): Promise<void> {
    await this.close();
    if (this.written === 0 && !(await exists(this.path))) {
      // Zero-byte objects never opened the file.
      const fh = await open(this.path, 'w');
      await fh.close();
    }
    await rename(this.path, dest);
  }

  async discard(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }

  private async close(): Promise<void> {
    this.done = true;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    await fh.close();
    return true;
  } catch {
    return false;
  }
}
