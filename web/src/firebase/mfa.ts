import {
  getMultiFactorResolver,
  multiFactor,
  type MultiFactorError,
  type MultiFactorResolver,
  PhoneAuthProvider,
  type PhoneMultiFactorInfo,
  PhoneMultiFactorGenerator,
  RecaptchaVerifier,
} from 'firebase/auth';
import { auth } from './auth.js';

export type { MultiFactorError };

// SMS second factor. Loaded only by the account page and the second-step sign-in, so the
// sign-in page does not carry it. Against the emulator, connectAuthEmulator turns on
// appVerificationDisabledForTesting, which makes RecaptchaVerifier use a mock instead of Google's widget.

export interface EnrolledFactor {
  uid: string;
  label: string;
}

export interface SecondFactorChallenge {
  /** Where the code was sent, as the server masks it (e.g. +*******0100). */
  hint: string;
  verificationId: string;
  resolver: MultiFactorResolver;
}

export function isSecondFactorRequired(error: unknown): error is MultiFactorError {
  return (
    !!error &&
    typeof error === 'object' &&
    'code' in error &&
    error.code === 'auth/multi-factor-auth-required'
  );
}

/** An invisible reCAPTCHA needs a host element; one shared, hidden element is enough. */
function verifier(): RecaptchaVerifier {
  let host = document.getElementById('recaptcha-host');
  if (!host) {
    host = document.createElement('div');
    host.id = 'recaptcha-host';
    document.body.append(host);
  }
  const slot = document.createElement('div');
  host.replaceChildren(slot);
  return new RecaptchaVerifier(auth(), slot, { size: 'invisible' });
}

async function sendCode(options: Parameters<PhoneAuthProvider['verifyPhoneNumber']>[0]): Promise<string> {
  const recaptcha = verifier();
  try {
    return await new PhoneAuthProvider(auth()).verifyPhoneNumber(options, recaptcha);
  } finally {
    recaptcha.clear();
  }
}

function currentUserOrThrow() {
  const user = auth().currentUser;
  if (!user) throw Object.assign(new Error('Not signed in'), { code: 'auth/no-current-user' });
  return user;
}

export function enrolledFactors(): EnrolledFactor[] {
  const user = auth().currentUser;
  if (!user) return [];
  return multiFactor(user).enrolledFactors.map((factor) => ({
    uid: factor.uid,
    label: factor.displayName || (factor as PhoneMultiFactorInfo).phoneNumber || factor.factorId,
  }));
}

/** Sends a code to the phone being enrolled; needs a recent sign-in. */
export async function startEnrolment(phoneNumber: string): Promise<string> {
  const session = await multiFactor(currentUserOrThrow()).getSession();
  return sendCode({ phoneNumber, session });
}

export async function finishEnrolment(
  verificationId: string,
  code: string,
  displayName: string,
): Promise<void> {
  const credential = PhoneAuthProvider.credential(verificationId, code);
  await multiFactor(currentUserOrThrow()).enroll(
    PhoneMultiFactorGenerator.assertion(credential),
    displayName,
  );
}

export async function unenrol(factorUid: string): Promise<void> {
  await multiFactor(currentUserOrThrow()).unenroll(factorUid);
}

/** First half of a sign-in (or re-authentication) that needs the second factor: sends the SMS. */
export async function startSecondFactor(error: MultiFactorError): Promise<SecondFactorChallenge> {
  const resolver = getMultiFactorResolver(auth(), error);
  const hint = resolver.hints.find((h) => h.factorId === PhoneMultiFactorGenerator.FACTOR_ID);
  if (!hint) throw Object.assign(new Error('No phone factor'), { code: 'auth/unsupported-second-factor' });
  const verificationId = await sendCode({ multiFactorHint: hint, session: resolver.session });
  return {
    hint: (hint as PhoneMultiFactorInfo).phoneNumber ?? hint.displayName ?? 'your phone',
    verificationId,
    resolver,
  };
}

export async function finishSecondFactor(challenge: SecondFactorChallenge, code: string): Promise<void> {
  const credential = PhoneAuthProvider.credential(challenge.verificationId, code);
  await challenge.resolver.resolveSignIn(PhoneMultiFactorGenerator.assertion(credential));
}
