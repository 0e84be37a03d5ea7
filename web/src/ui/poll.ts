/**
 * Runs `work` now and then every `everyMs` for as long as `element` is on the page: Firestore Lite
 * (REST) has no listeners, so open views poll. Turns are skipped while the tab is hidden, to spare
 * reads nobody sees; the first turn always runs, since the view is being built.
 */
export function pollWhileShown(
  element: HTMLElement,
  everyMs: number,
  work: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  let first = true;
  const turn = (): void => {
    if (!first && !element.isConnected) return;
    const skip = !first && document.visibilityState === 'hidden';
    first = false;
    (skip ? Promise.resolve() : work()).catch(onError).finally(() => setTimeout(turn, everyMs));
  };
  turn();
}
