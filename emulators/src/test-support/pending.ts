/**
 * Whether `request` is still unsettled after `ms`: for requests that must wait (for an emulator's
 * load, say) and would otherwise answer early. The caller still awaits `request` itself.
 */
export async function stillPendingAfter(request: Promise<unknown>, ms = 50): Promise<boolean> {
  let settled = false;
  request.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}
