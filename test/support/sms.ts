import { localPorts, projectId } from '../../scripts/lib/project.js';

/** The codes the Auth emulator "sent" to a number, oldest first (it sends no real SMS). */
export async function smsCodesSentTo(phoneNumber: string): Promise<string[]> {
  const ports = localPorts();
  const url = `http://${ports.host}:${ports.auth}/emulator/v1/projects/${projectId()}/verificationCodes`;
  const body = (await (await fetch(url)).json()) as {
    verificationCodes?: Array<{ phoneNumber: string; code: string }>;
  };
  return (body.verificationCodes ?? []).filter((c) => c.phoneNumber === phoneNumber).map((c) => c.code);
}

/** The newest SMS code sent to a number once more than `after` exist, waiting for it to appear. */
export async function smsCodeFor(phoneNumber: string, after = 0, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const codes = await smsCodesSentTo(phoneNumber);
    if (codes.length > after) return codes.at(-1)!;
    if (Date.now() > deadline) throw new Error(`no SMS code for ${phoneNumber} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
