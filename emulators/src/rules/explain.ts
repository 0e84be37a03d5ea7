/**
 * Decision messages in the official emulator's PERMISSION_DENIED style: each evaluated allow is
 * reported as `false for 'create' @ L5` (FT#2155) or `<error text> for 'update' @ L14`, joined by
 * ", " (e.g. `false for 'update' @ L12, Property premium is undefined on object. for 'update' @ L14`,
 * the format quoted in JS#8544 / FT#2217 / FT#3931); with nothing applicable the emulator says
 * `No matching allow statements`.
 */
import type { AllowOutcome } from './api.js';

export function denialMessage(method: string, outcomes: readonly AllowOutcome[]): string {
  const parts = outcomes.map((o) =>
    o.result === 'error'
      ? `${o.error ?? 'Error.'} for '${method}' @ L${o.line}`
      : `false for '${method}' @ L${o.line}`,
  );
  return parts.length ? parts.join(', ') : 'No matching allow statements';
}

export function grantMessage(method: string, o: AllowOutcome): string {
  return `Allowed by 'allow ${o.method}' for '${method}' @ L${o.line}`;
}
