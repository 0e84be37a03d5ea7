import { h } from './dom.js';

/** A native progress bar (announced by screen readers as such), named after what it measures. */
export function progressBar(label: string): { element: HTMLProgressElement; set(fraction: number): void } {
  const element = h('progress', { max: '100', value: '0', 'aria-label': label });
  return {
    element,
    set(fraction: number) {
      element.value = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
    },
  };
}
