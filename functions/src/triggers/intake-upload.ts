/**
 * The file-intake trigger (issue 8): every object finalized under `uploads/` in the default bucket
 * is checked (intake/verdict.ts), its verdict recorded in `uploads/{uploadId}` and, if rejected,
 * its bytes deleted; if accepted, its download tokens removed. See handle-upload.ts for the
 * idempotence rules.
 */
import { getApps, initializeApp } from 'firebase-admin/app';
import { type DocumentData, FieldValue, getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import { onObjectFinalized } from 'firebase-functions/v2/storage';
import { removeDownloadTokens } from '../files/download-tokens.js';
import {
  type FinalizedObject,
  handleFinalizedObject,
  type UploadObjects,
  type UploadRecord,
  type UploadRecords,
} from './handle-upload.js';
import { storageStatusOf } from '../files/storage-status.js';

/** Retried events older than this are dropped (and logged) instead of retried for days. */
const MAX_EVENT_AGE_MS = 60 * 60 * 1000;

function app() {
  return getApps()[0] ?? initializeApp();
}

function firestoreRecords(): UploadRecords {
  const collection = getFirestore(app()).collection('uploads');
  const summary = (data: DocumentData | undefined) =>
    data
      ? {
          path: String(data.path),
          generation: String(data.generation),
          status: data.status as UploadRecord['status'],
        }
      : undefined;
  return {
    async get(uploadId) {
      return summary((await collection.doc(uploadId).get()).data());
    },
    async create(uploadId, record) {
      const ref = collection.doc(uploadId);
      return getFirestore(app()).runTransaction(async (tx) => {
        const snapshot = await tx.get(ref);
        if (snapshot.exists) return summary(snapshot.data());
        tx.create(ref, { ...record, checkedAt: FieldValue.serverTimestamp() });
        return undefined;
      });
    },
  };
}

function storageObjects(bucketName: string): UploadObjects {
  const bucket = getStorage(app()).bucket(bucketName);
  return {
    async read(name, generation, cap) {
      // Generations are 64-bit integers; strings keep them exact.
      const file = bucket.file(name, { generation });
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of file.createReadStream({ validation: false })) {
          chunks.push(chunk as Buffer);
          total += (chunk as Buffer).length;
          // The metadata size was checked already; this only guards against it being wrong.
          if (total >= cap) break;
        }
      } catch (error) {
        if (storageStatusOf(error) === 404) return undefined;
        throw error;
      }
      return Buffer.concat(chunks).subarray(0, cap);
    },
    async delete(name, generation) {
      try {
        await bucket.file(name).delete({ ifGenerationMatch: generation, ignoreNotFound: true });
      } catch (error) {
        if (storageStatusOf(error) === 412 || storageStatusOf(error) === 404) return;
        throw error;
      }
    },
    stripDownloadTokens: (name, generation) => removeDownloadTokens(bucket, name, generation),
  };
}

export const intakeUpload = onObjectFinalized(
  // Retries are safe (handle-upload.ts is idempotent) and cover transient Firestore/Storage errors;
  // content problems never throw. 20 MB files and file-type's buffers fit well in 1 GiB.
  { retry: true, memory: '1GiB', timeoutSeconds: 120 },
  async (event) => {
    const object = event.data as FinalizedObject;
    if (!object.name?.startsWith('uploads/')) return;
    const age = Date.now() - Date.parse(event.time);
    if (age > MAX_EVENT_AGE_MS) {
      console.error(`intake: dropping a ${Math.round(age / 60000)}-minute-old event for ${object.name}`);
      return;
    }
    const outcome = await handleFinalizedObject(object, firestoreRecords(), storageObjects(object.bucket));
    console.log(`intake: ${object.name}#${object.generation} ${outcome}`);
  },
);
