/**
 * Single-document REST methods (`PATCH` = UpdateDocument, `DELETE` = DeleteDocument), which tools
 * such as firebase-tools call; they become one-write commits.
 */
import type { Caller } from '../auth.js';
import { isRecord } from '../codec.js';
import type { FirestoreEmulatorCore } from '../emulator.js';
import { invalid } from '../errors.js';
import { jsonCodec } from '../json-codec.js';
import * as ops from '../ops.js';

export function applyWritesFromRest(
  core: FirestoreEmulatorCore,
  caller: Caller,
  database: string,
  name: string,
  method: 'PATCH' | 'DELETE',
  body: unknown,
  params: URLSearchParams,
): unknown {
  const precondition: Record<string, unknown> = {};
  const exists = params.get('currentDocument.exists');
  if (exists !== null) precondition['exists'] = exists === 'true';
  const updateTime = params.get('currentDocument.updateTime');
  if (updateTime !== null) precondition['updateTime'] = updateTime;
  const currentDocument = Object.keys(precondition).length ? precondition : undefined;
  if (method === 'DELETE') {
    ops.commit(core, caller, jsonCodec, database, { writes: [{ delete: name, currentDocument }] });
    return {};
  }
  if (!isRecord(body)) throw invalid('Document body must be an object.');
  const mask = params.getAll('updateMask.fieldPaths');
  const write: Record<string, unknown> = { update: { name, fields: body['fields'] ?? {} }, currentDocument };
  if (mask.length) write['updateMask'] = { fieldPaths: mask };
  ops.commit(core, caller, jsonCodec, database, { writes: [write] });
  const got = ops.batchGet(core, { owner: true, auth: null }, database, { documents: [name] });
  return got.then((r) => (r[0] && 'found' in r[0] ? r[0].found : {}));
}
