/**
 * The google.firestore.v1 protos, loaded once from the installed @google-cloud/firestore package
 * (build/protos/v1.json) with protobufjs, for the gRPC codecs (grpc/service.ts) and the strict
 * proto3-JSON reading of REST bodies (rest/proto-json.ts).
 */
import { createRequire } from 'node:module';
import type { Field, Root } from 'protobufjs';

let root: Root | undefined;

/**
 * The protos shipped in @google-cloud/firestore (which never sends it) lack `Write.verify`
 * (google/firestore/v1/write.proto: `string verify = 5;` in `oneof operation`), which the full JS
 * SDK sends for documents a transaction read but did not write. Without it protobufjs would skip
 * the field as unknown and the write would look empty (and a REST body would be refused).
 */
function addWriteVerify(r: Root, FieldClass: new (name: string, id: number, type: string) => Field): void {
  const write = r.lookupType('google.firestore.v1.Write');
  if (write.fields['verify']) return;
  const field = new FieldClass('verify', 5, 'string');
  write.add(field);
  write.oneofs['operation']?.add(field);
}

/** The resolved root (protobufjs is pinned to the version firebase-admin's gRPC stack uses). */
export function firestoreProtos(): Root {
  if (root) return root;
  const require = createRequire(import.meta.url);
  const pb = require('protobufjs') as {
    Root: { fromJSON(json: unknown): Root };
    Field: new (name: string, id: number, type: string) => Field;
  };
  const json: unknown = require('@google-cloud/firestore/build/protos/v1.json');
  const r = pb.Root.fromJSON(json);
  addWriteVerify(r, pb.Field);
  r.resolveAll();
  root = r;
  return r;
}
