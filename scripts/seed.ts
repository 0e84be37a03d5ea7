// Demo data for `npm start`: a staff account with an SMS second factor, a verified member,
// free and premium library items with files generated here, and one access code. Idempotent:
// whatever already exists is left alone. Emulators only (a `demo-` project id).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import { hashCode } from '../functions/src/premium/codes.js';
import { ROOT } from './lib/project.js';
import { makePdf } from './sample-media/pdf.js';
import { badgePng } from './sample-media/png.js';

export const DEMO_STAFF = {
  email: 'staff@example.com',
  password: 'staff-demo-password',
  username: 'staff',
  phoneNumber: '+15555550100',
};
export const DEMO_MEMBER = {
  email: 'member@example.com',
  password: 'member-demo-password',
  username: 'member',
};
/** Fixed so the banner can print it on every start; it only ever exists in a demo project. */
export const DEMO_CODE = 'DEMO-PREM-2026';

interface DemoItem {
  id: string;
  title: string;
  description: string;
  tier: 'free' | 'premium';
  kind: 'video' | 'pdf' | 'image' | 'text';
  file: string;
  contentType: string;
  bytes: () => Buffer;
}

const ITEMS: DemoItem[] = [
  {
    id: 'welcome-guide',
    title: 'Welcome guide',
    description: 'How the portal works: library, messages and premium access.',
    tier: 'free',
    kind: 'pdf',
    file: 'welcome-guide.pdf',
    contentType: 'application/pdf',
    bytes: () =>
      makePdf('Member Portal - Welcome guide', [
        'Free items in the library are open to every verified member.',
        'Premium items unlock with an access code or a grant from staff.',
        'Write to us any time from the Messages page.',
      ]),
  },
  {
    id: 'portal-badge',
    title: 'Portal badge',
    description: 'A small badge image for your profile.',
    tier: 'free',
    kind: 'image',
    file: 'portal-badge.png',
    contentType: 'image/png',
    bytes: () => badgePng(96),
  },
  {
    id: 'video-tutorial',
    title: 'Video tutorial',
    description: 'A three-second tour of premium features.',
    tier: 'premium',
    kind: 'video',
    file: 'tutorial.webm',
    contentType: 'video/webm',
    // Recorded once by scripts/sample-media/make-video.ts (Chromium MediaRecorder) and committed.
    bytes: () => readFileSync(join(ROOT, 'scripts', 'sample-media', 'tutorial.webm')),
  },
  {
    id: 'advanced-notes',
    title: 'Advanced notes',
    description: 'Premium notes for experienced members.',
    tier: 'premium',
    kind: 'text',
    file: 'advanced-notes.txt',
    contentType: 'text/plain',
    bytes: () =>
      Buffer.from('Advanced notes\n\n1. Keep your second factor enrolled.\n2. Export your data any time.\n'),
  },
];

export interface SeedReport {
  lines: string[];
}

function isNotFound(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'code' in error && error.code === 'auth/user-not-found';
}

async function ensureUser(
  auth: Auth,
  db: Firestore,
  account: { email: string; password: string; username: string; phoneNumber?: string },
  claims: Record<string, unknown> | null,
): Promise<string> {
  let uid: string;
  try {
    uid = (await auth.getUserByEmail(account.email)).uid;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const created = await auth.createUser({
      email: account.email,
      password: account.password,
      emailVerified: true,
      ...(account.phoneNumber
        ? { multiFactor: { enrolledFactors: [{ phoneNumber: account.phoneNumber, factorId: 'phone' }] } }
        : {}),
    });
    uid = created.uid;
    if (claims) await auth.setCustomUserClaims(uid, claims);
  }
  const profile = db.doc(`users/${uid}`);
  if (!(await profile.get()).exists) {
    const batch = db.batch();
    batch.set(profile, { username: account.username, createdAt: Timestamp.now() });
    batch.set(db.doc(`usernames/${account.username}`), { uid });
    await batch.commit();
  }
  return uid;
}

async function ensureItems(app: App, db: Firestore, bucketName: string): Promise<number> {
  const bucket = getStorage(app).bucket(bucketName);
  let added = 0;
  for (const item of ITEMS) {
    const storagePath = `content/${item.tier}/${item.file}`;
    const file = bucket.file(storagePath);
    const bytes = item.bytes();
    if (!(await file.exists())[0]) {
      await file.save(bytes, { contentType: item.contentType, resumable: false });
    }
    const ref = db.doc(`content/${item.id}`);
    if (!(await ref.get()).exists) {
      await ref.set({
        title: item.title,
        description: item.description,
        tier: item.tier,
        kind: item.kind,
        storagePath,
        size: bytes.length,
      });
      added += 1;
    }
  }
  return added;
}

async function ensureCode(db: Firestore, createdBy: string): Promise<string> {
  const ref = db.doc(`accessCodes/${hashCode(DEMO_CODE)}`);
  const existing = await ref.get();
  if (existing.exists) return existing.get('redeemedBy') ? 'already redeemed' : 'unused';
  const now = Date.now();
  await ref.create({
    createdBy,
    createdAt: Timestamp.fromMillis(now),
    expiresAt: Timestamp.fromMillis(now + 365 * 86_400_000),
    premiumDays: 30,
    redeemedBy: null,
    redeemedAt: null,
  });
  return 'unused, 30 days of premium';
}

/**
 * `env` is the backend's (scripts/lib/backend.ts): its *_EMULATOR_HOST variables point the
 * admin SDK at the local emulators. Without our Firestore emulator there is nothing to seed into.
 */
export async function seedDemoData(env: Record<string, string>, projectId: string): Promise<SeedReport> {
  if (!projectId.startsWith('demo-')) throw new Error(`Refusing to seed ${projectId}: demo projects only.`);
  if (!env.FIRESTORE_EMULATOR_HOST || !env.FIREBASE_AUTH_EMULATOR_HOST) {
    return { lines: ['Demo data: skipped (the offline Firestore emulator is not built).'] };
  }
  Object.assign(process.env, env);
  const bucketName = `${projectId}.appspot.com`;
  const app = initializeApp({ projectId, storageBucket: bucketName }, `seed-${process.pid}`);
  try {
    const auth = getAuth(app);
    const db = getFirestore(app);
    const staffUid = await ensureUser(auth, db, DEMO_STAFF, { staff: true });
    await ensureUser(auth, db, DEMO_MEMBER, null);
    const added = await ensureItems(app, db, bucketName);
    const code = await ensureCode(db, staffUid);
    const sms = `http://${env.FIREBASE_AUTH_EMULATOR_HOST}/emulator/v1/projects/${projectId}/verificationCodes`;
    return {
      lines: [
        'Demo data:',
        `  Staff   ${DEMO_STAFF.email} / ${DEMO_STAFF.password} (SMS second factor ${DEMO_STAFF.phoneNumber};`,
        `          codes at ${sms})`,
        `  Member  ${DEMO_MEMBER.email} / ${DEMO_MEMBER.password}`,
        `  Access code ${DEMO_CODE} (${code})`,
        `  Library ${ITEMS.length} items (${added} added now)`,
      ],
    };
  } finally {
    await deleteApp(app);
  }
}
