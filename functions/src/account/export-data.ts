import type { UserRecord } from 'firebase-admin/auth';
import { adminAuth } from '../admin.js';
import { memberFiles, memberRefs, ownedUsernameRef, type StoredFile } from './member-data.js';
import { type Json, toJson } from './to-json.js';

export interface MemberExport {
  exportedAt: string;
  account: Json;
  profile: Json;
  username: Json;
  premium: Json;
  thread: Json;
  messages: Json[];
  uploads: Json[];
  files: StoredFile[];
}

function accountSummary(user: UserRecord): Json {
  return {
    uid: user.uid,
    email: user.email ?? null,
    emailVerified: user.emailVerified,
    createdAt: user.metadata.creationTime ? new Date(user.metadata.creationTime).toISOString() : null,
    lastSignInAt: user.metadata.lastSignInTime ? new Date(user.metadata.lastSignInTime).toISOString() : null,
    secondFactors: (user.multiFactor?.enrolledFactors ?? []).map((factor) => ({
      factorId: factor.factorId,
      displayName: factor.displayName ?? null,
      enrolledAt: factor.enrollmentTime ? new Date(factor.enrollmentTime).toISOString() : null,
    })),
  };
}

/** Everything the portal stores about one member, as JSON (file contents stay in Storage; their list is included). */
export async function exportMemberData(uid: string, now: Date = new Date()): Promise<MemberExport> {
  const refs = memberRefs(uid);
  const [user, profile, usernameRef, entitlement, thread, messages, uploads, files] = await Promise.all([
    adminAuth().getUser(uid),
    refs.profile.get(),
    ownedUsernameRef(uid),
    refs.entitlement.get(),
    refs.thread.get(),
    refs.messages.get(),
    refs.uploads.get(),
    memberFiles(uid),
  ]);
  const username = usernameRef ? await usernameRef.get() : null;
  return {
    exportedAt: now.toISOString(),
    account: accountSummary(user),
    profile: profile.exists ? toJson(profile.data()) : null,
    username: username ? { name: username.id, ...(toJson(username.data()) as object) } : null,
    premium: entitlement.exists ? toJson(entitlement.data()) : null,
    thread: thread.exists ? toJson(thread.data()) : null,
    messages: messages.docs.map((doc) => ({ id: doc.id, ...(toJson(doc.data()) as object) })),
    uploads: uploads.docs.map((doc) => ({ id: doc.id, ...(toJson(doc.data()) as object) })),
    files,
  };
}
