/**
 * Read-write transactions with pessimistic, per-document locks and wound-wait deadlock avoidance:
 * a read inside a read-write transaction takes an exclusive lock on the document; a younger
 * transaction waits for an older holder, an older one "wounds" (aborts) a younger holder. Aborted
 * transactions answer ABORTED, which firebase-admin retries with `retryTransaction` - the retry keeps
 * the original priority, so it cannot starve. This mirrors production's locking model
 * (https://firebase.google.com/docs/firestore/transaction-data-contention).
 *
 * Writes outside transactions do not wait for locks; instead a commit verifies that every document
 * the transaction read still has the version it read, and aborts otherwise. Either way no update is lost.
 */
import { randomBytes } from 'node:crypto';
import { Code, FirestoreError } from './errors.js';

const LOCK_WAIT_MS = 20_000;
const IDLE_EXPIRY_MS = 60_000;

interface Waiter {
  txn: Txn;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface Lock {
  holder: Txn;
  waiters: Waiter[];
}

export interface Txn {
  readonly id: string;
  readonly readOnly: boolean;
  /** A read-only transaction's `readTime` (TransactionOptions.ReadOnly.read_time): it reads as of then. */
  readonly readTime?: string;
  readonly priority: number;
  /** Version (updateTime, or '' for missing) of each document read. */
  readonly reads: Map<string, string>;
  readonly locks: Set<string>;
  aborted?: string;
  lastUsed: number;
  waiting?: Waiter;
}

/**
 * Transaction ids in the shape of Google's emulator's (a message with one fixed64 field 2: byte 0x11
 * and 8 bytes), random rather than counted. An id of another shape is "Invalid transaction.", an
 * unknown one of this shape "Transaction is invalid or closed." (Google's emulator's answers).
 */
function newTransactionId(): string {
  return Buffer.concat([Buffer.from([0x11]), randomBytes(8)]).toString('base64');
}

function isTransactionId(id: string): boolean {
  const bytes = Buffer.from(id, 'base64');
  return bytes.length === 9 && bytes[0] === 0x11;
}

export class TransactionManager {
  private readonly txns = new Map<string, Txn>();
  private readonly locks = new Map<string, Lock>();
  private readonly retiredPriority = new Map<string, number>();
  private seq = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref();
  }

  dispose(): void {
    clearInterval(this.sweeper);
    for (const t of [...this.txns.values()]) this.abort(t, 'Emulator shutting down.');
  }

  begin(readOnly: boolean, retryOf?: string, readTime?: string): Txn {
    const inherited = retryOf ? this.retiredPriority.get(retryOf) : undefined;
    const txn: Txn = {
      id: newTransactionId(),
      readOnly,
      ...(readTime !== undefined ? { readTime } : {}),
      priority: inherited ?? ++this.seq,
      reads: new Map(),
      locks: new Set(),
      lastUsed: Date.now(),
    };
    this.txns.set(txn.id, txn);
    return txn;
  }

  get(id: string): Txn {
    const txn = this.txns.get(id);
    if (!txn) {
      throw new FirestoreError(
        Code.INVALID_ARGUMENT,
        isTransactionId(id) ? 'Transaction is invalid or closed.' : 'Invalid transaction.',
      );
    }
    if (txn.aborted) throw new FirestoreError(Code.ABORTED, txn.aborted);
    txn.lastUsed = Date.now();
    return txn;
  }

  /** A live or aborted transaction by id, without touching it. */
  peek(id: string): Txn | undefined {
    return this.txns.get(id);
  }

  /** Takes the lock on a document for a read-write transaction, waiting if needed. */
  async lock(txn: Txn, name: string): Promise<void> {
    if (txn.readOnly || txn.locks.has(name)) return;
    for (;;) {
      if (txn.aborted) throw new FirestoreError(Code.ABORTED, txn.aborted);
      const lock = this.locks.get(name);
      if (!lock) {
        this.locks.set(name, { holder: txn, waiters: [] });
        txn.locks.add(name);
        return;
      }
      const wound = txn.priority < lock.holder.priority;
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          txn,
          resolve,
          reject,
          timer: setTimeout(() => {
            lock.waiters = lock.waiters.filter((w) => w !== waiter);
            txn.waiting = undefined;
            reject(new FirestoreError(Code.ABORTED, `Transaction timed out waiting for a lock on ${name}.`));
          }, LOCK_WAIT_MS),
        };
        txn.waiting = waiter;
        lock.waiters.push(waiter);
        // Older than the holder: abort it. Every other waiter is younger than the holder, hence
        // younger than us, so the release hands the lock straight to us.
        if (wound)
          this.abort(lock.holder, 'Transaction aborted by an older contending transaction (wound-wait).');
      });
      txn.waiting = undefined;
      // The releaser handed the lock over to us.
      if (txn.locks.has(name)) return;
    }
  }

  private release(txn: Txn): void {
    for (const name of txn.locks) {
      const lock = this.locks.get(name);
      if (!lock || lock.holder !== txn) continue;
      // Hand over to the oldest live waiter, so every remaining waiter is younger than the new
      // holder - the wound-wait invariant that rules out deadlocks.
      lock.waiters = lock.waiters.filter((w) => !w.txn.aborted);
      let next: Waiter | undefined;
      for (const w of lock.waiters) if (!next || w.txn.priority < next.txn.priority) next = w;
      if (next) lock.waiters = lock.waiters.filter((w) => w !== next);
      if (!next) {
        this.locks.delete(name);
        continue;
      }
      clearTimeout(next.timer);
      lock.holder = next.txn;
      next.txn.locks.add(name);
      next.resolve();
    }
    txn.locks.clear();
  }

  abort(txn: Txn, reason: string): void {
    if (txn.aborted) return;
    txn.aborted = reason;
    if (txn.waiting) {
      clearTimeout(txn.waiting.timer);
      for (const lock of this.locks.values()) lock.waiters = lock.waiters.filter((w) => w !== txn.waiting);
      txn.waiting.reject(new FirestoreError(Code.ABORTED, reason));
      txn.waiting = undefined;
    }
    this.release(txn);
    this.retire(txn);
  }

  /** Ends a transaction (after commit or rollback), releasing its locks. */
  finish(txn: Txn): void {
    this.release(txn);
    this.txns.delete(txn.id);
    this.retire(txn);
  }

  private retire(txn: Txn): void {
    this.retiredPriority.set(txn.id, txn.priority);
    if (this.retiredPriority.size > 10_000) {
      const first = this.retiredPriority.keys().next().value;
      if (first !== undefined) this.retiredPriority.delete(first);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const t of this.txns.values()) {
      if (now - t.lastUsed > IDLE_EXPIRY_MS) {
        this.abort(t, 'Transaction expired.');
        this.txns.delete(t.id);
      }
    }
  }
}
