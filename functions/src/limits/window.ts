/** A fixed window counter: how many calls a key made since `windowStart` (ms). */
export interface WindowState {
  windowStart: number;
  count: number;
}

export interface Decision {
  allowed: boolean;
  next: WindowState;
  /** When refused: how long until the window resets. */
  retryAfterMs: number;
}

export function consume(
  state: WindowState | undefined,
  now: number,
  limit: number,
  windowMs: number,
): Decision {
  const current = state && now - state.windowStart < windowMs ? state : { windowStart: now, count: 0 };
  if (current.count >= limit) {
    return { allowed: false, next: current, retryAfterMs: current.windowStart + windowMs - now };
  }
  return {
    allowed: true,
    next: { windowStart: current.windowStart, count: current.count + 1 },
    retryAfterMs: 0,
  };
}
