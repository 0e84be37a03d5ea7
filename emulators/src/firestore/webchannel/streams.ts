/**
 * The Listen and Write RPCs behind a WebChannel, in proto3 JSON (the SDK sets `sendRawJson`):
 * the same target machinery (listen.ts) and commit path (ops.ts) as gRPC and REST, so rules apply
 * alike. An error ends the stream with `{error:{code,message,status}}`, which the SDK maps by
 * `status` (Google's emulator sends the same shape, e.g. for an INVALID_ARGUMENT write).
 */
import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth.js';
import { isRecord } from '../codec.js';
import type { FirestoreEmulatorCore } from '../emulator.js';
import { type FirestoreError, invalid, toFirestoreError } from '../errors.js';
import { jsonCodec } from '../json-codec.js';
import { type ListenResponse, ListenSession } from '../listen.js';
import * as ops from '../ops.js';
import { parseResource } from '../paths.js';
import { RawJson, SharedText } from './raw-json.js';
import type { ChannelStream } from './session.js';

export type Send = (payload: unknown) => void;

/**
 * ListenResponse as JSON. A documentChange's document is the same object for every listener of a
 * commit (listen.ts), so its message is encoded once per set of target ids (clients number their
 * targets alike, so most listeners share one) and its bytes are shared; so is the NO_CHANGE that
 * follows a commit, which every listener gets with the same read time.
 */
function listenResponseJson(msg: ListenResponse, cache: WeakMap<object, EncodedDocument>): RawJson {
  if ('documentChange' in msg) {
    const { document, targetIds, removedTargetIds } = msg.documentChange;
    let encoded = cache.get(document);
    if (encoded === undefined) {
      encoded = { text: new SharedText(JSON.stringify(document)), messages: new Map() };
      cache.set(document, encoded);
    }
    // The usual shape, one target and none removed, is looked up by its id without building a key.
    const key =
      targetIds.length === 1 && removedTargetIds.length === 0
        ? targetIds[0]!
        : `${JSON.stringify(targetIds)}|${JSON.stringify(removedTargetIds)}`;
    let json = encoded.messages.get(key);
    if (json === undefined) {
      const tail = `,"targetIds":${JSON.stringify(targetIds)},"removedTargetIds":${JSON.stringify(removedTargetIds)}}}`;
      json = new RawJson(['{"documentChange":{"document":', encoded.text, tail]);
      encoded.messages.set(key, json);
    }
    return json;
  }
  if ('targetChange' in msg) {
    const c = msg.targetChange;
    if (c.targetChangeType === 'NO_CHANGE' && c.targetIds.length === 0 && c.readTime !== undefined) {
      if (lastGlobalSnapshot?.readTime !== c.readTime)
        lastGlobalSnapshot = { readTime: c.readTime, json: new RawJson([JSON.stringify(msg)]) };
      return lastGlobalSnapshot.json;
    }
  }
  return new RawJson([JSON.stringify(msg)]);
}

/** A document's JSON, and its documentChange messages by target id (or ids and removed ids). */
interface EncodedDocument {
  text: SharedText;
  messages: Map<number | string, RawJson>;
}

let lastGlobalSnapshot: { readTime: string; json: RawJson } | undefined;

const documentMessages = new WeakMap<object, EncodedDocument>();

export function errorPayload(e: FirestoreError): unknown {
  return { error: { code: e.httpStatus, message: e.message, status: e.status } };
}

export function listenStream(core: FirestoreEmulatorCore, caller: Caller, send: Send): ChannelStream {
  let failed = false;
  const session = new ListenSession(
    (id) => core.db(id),
    caller,
    jsonCodec,
    (msg) => send(listenResponseJson(msg, documentMessages)),
  );
  return {
    receive(msg) {
      if (failed) return;
      try {
        session.handle(msg);
      } catch (e) {
        failed = true;
        session.close();
        send(errorPayload(toFirestoreError(e)));
      }
    },
    close: () => session.close(),
  };
}

export function writeStream(core: FirestoreEmulatorCore, caller: Caller, send: Send): ChannelStream {
  let database = '';
  let token = 0;
  let failed = false;
  const streamId = randomBytes(8).toString('hex');
  const nextToken = () => Buffer.from(String(++token)).toString('base64');
  return {
    receive(msg) {
      if (failed) return;
      try {
        if (!isRecord(msg)) throw invalid('WriteRequest must be an object.');
        if (database === '') {
          // The handshake: the first request names the database and carries no writes.
          const db = msg['database'];
          parseResource(db, false);
          database = db as string;
          send({ streamId, streamToken: nextToken() });
          return;
        }
        const writes = msg['writes'] ?? [];
        if (!Array.isArray(writes)) throw invalid('writes must be an array.');
        if (writes.length === 0) {
          // An empty request only acknowledges responses (write.proto); answer with a new token.
          send({ streamToken: nextToken(), writeResults: [] });
          return;
        }
        const r = ops.commit(core, caller, jsonCodec, database, { writes });
        send({ streamToken: nextToken(), writeResults: r.writeResults, commitTime: r.commitTime });
      } catch (e) {
        failed = true;
        send(errorPayload(toFirestoreError(e)));
      }
    },
    close() {},
  };
}
