import { emulatorConfig } from '../config.js';
import { firebaseApp } from '../firebase/app.js';
import { h } from '../ui/dom.js';

// Development only (imported behind `import.meta.env.DEV`): the Auth emulator sends no mail,
// so the pages offer the link the email would have contained.

export interface OobCode {
  email: string;
  requestType: string;
  oobCode: string;
  /** Set on VERIFY_AND_CHANGE_EMAIL codes: the address being confirmed (`email` is the current one). */
  newEmail?: string;
}

export type EmailKind = 'VERIFY_EMAIL' | 'PASSWORD_RESET' | 'VERIFY_AND_CHANGE_EMAIL';

const MODES: Record<EmailKind, string> = {
  VERIFY_EMAIL: 'verifyEmail',
  PASSWORD_RESET: 'resetPassword',
  VERIFY_AND_CHANGE_EMAIL: 'verifyAndChangeEmail',
};

const LINK_TEXT: Record<EmailKind, string> = {
  VERIFY_EMAIL: 'Open the verification email',
  PASSWORD_RESET: 'Open the password reset email',
  VERIFY_AND_CHANGE_EMAIL: 'Open the confirmation email',
};

/**
 * The newest code of a kind for an address (the emulator lists them oldest first); an email
 * change is found by the new address, where its link is sent.
 */
export function latestCode(codes: OobCode[], email: string, kind: EmailKind): OobCode | null {
  const wanted = email.toLowerCase();
  const addressOf = (c: OobCode) => (kind === 'VERIFY_AND_CHANGE_EMAIL' ? c.newEmail : c.email);
  const matching = codes.filter((c) => c.requestType === kind && addressOf(c)?.toLowerCase() === wanted);
  return matching.at(-1) ?? null;
}

/** The in-app address the email's link leads to (views/action.ts handles it). */
export function actionLink(origin: string, kind: EmailKind, oobCode: string): string {
  const params = new URLSearchParams({ mode: MODES[kind], oobCode });
  return `${origin}/?${params.toString()}`;
}

async function fetchCodes(): Promise<OobCode[]> {
  const c = emulatorConfig();
  const project = firebaseApp().options.projectId;
  const response = await fetch(`http://${c.host}:${c.authPort}/emulator/v1/projects/${project}/oobCodes`);
  if (!response.ok) return [];
  const body = (await response.json()) as { oobCodes?: OobCode[] };
  return body.oobCodes ?? [];
}

/** A link to the pending email of that kind, or null when none is waiting. */
export async function devEmailLink(email: string, kind: EmailKind): Promise<HTMLElement | null> {
  const code = latestCode(await fetchCodes(), email, kind);
  if (!code) return null;
  return h(
    'p',
    { class: 'dev-hint' },
    'Development: ',
    h('a', { href: actionLink(window.location.origin, kind, code.oobCode) }, LINK_TEXT[kind]),
  );
}
