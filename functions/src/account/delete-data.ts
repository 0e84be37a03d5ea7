import { adminAuth, bucket, db } from '../admin.js';
import { DELETED_MEMBER, deleteMatching, memberRefs, ownedUsernameRef } from './member-data.js';

export interface DeletionReport {
  documents: number;
  files: number;
  authUser: boolean;
}

function isUserNotFound(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'code' in error && error.code === 'auth/user-not-found';
}

/**
 * Removes a member and everything that belongs to them. Safe to run again after a partial
 * failure or twice in a row: each step deletes what is still there. The Auth user goes last,
 * so a failure earlier leaves the member able to sign in and retry.
 */
export async function deleteMemberData(uid: string): Promise<DeletionReport> {
  const refs = memberRefs(uid);
  let documents = 0;

  // Files first: an intake run still in flight then finds no bytes and records nothing,
  // instead of writing an uploads/ record after the documents are gone.
  const [files] = await bucket().getFiles({ prefix: refs.filePrefix });
  await Promise.all(files.map((file) => file.delete({ ignoreNotFound: true })));

  const usernameRef = await ownedUsernameRef(uid);
  if (usernameRef) {
    await usernameRef.delete();
    documents += 1;
  }
  // A name whose profile write never landed still points at the member.
  documents += await deleteMatching(refs.usernames);
  documents += await deleteMatching(refs.messages);
  documents += await deleteMatching(refs.uploads);
  const codes = await refs.redeemedCodes.get();
  if (!codes.empty) {
    const batch = db().batch();
    for (const code of codes.docs) batch.update(code.ref, { redeemedBy: DELETED_MEMBER });
    await batch.commit();
  }
  for (const ref of [refs.thread, refs.profile, refs.entitlement, refs.claimChanges, ...refs.rateLimits]) {
    if ((await ref.get()).exists) {
      await ref.delete();
      documents += 1;
    }
  }

  let authUser = false;
  try {
    await adminAuth().deleteUser(uid);
    authUser = true;
  } catch (error) {
    if (!isUserNotFound(error)) throw error;
  }
  return { documents, files: files.length, authUser };
}
