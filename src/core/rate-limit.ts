/** Extra share of each window kept free of sends (see {@link SlidingWindow.nextAllowed}). */
export const SAFETY = 0.05;
const widen = (perMs: number) => perMs + Math.max(20, perMs * SAFETY);

/** A rate limit: at most `max` sends in any window of `perMs` ms. */
export interface RateLimit {
  max: number;
  perMs: number;
}

/**
 * Sliding-window limiter for one lane (exact: never more than `max` in ANY `perMs` window,
 * unlike a fixed-window counter that allows 2× at a window edge).
 */
export class SlidingWindow {
  private readonly sent: number[] = [];
  constructor(private readonly limits: RateLimit[]) {}

  /**
   * Earliest ms (≥ now) at which one more send is allowed. Sends are recorded when they start
   * but platforms count arrivals, so each window is widened by {@link SAFETY} (5 %, at least
   * 20 ms): sending exactly at the limit let jitter put max + 1 in the platform's window.
   */
  nextAllowed(now: number): number {
    let at = now;
    for (const l of this.limits) {
      const span = widen(l.perMs);
      const inWindow = this.sent.filter((t) => t > now - span);
      if (inWindow.length >= l.max) at = Math.max(at, inWindow[inWindow.length - l.max] + span);
    }
    return at;
  }

  /** Records a send at `now`; forgets sends older than the longest window. */
  record(now: number): void {
    this.sent.push(now);
    const longest = Math.max(0, ...this.limits.map((l) => widen(l.perMs)));
    while (this.sent.length && this.sent[0] <= now - longest) this.sent.shift();
  }

  /** True when no send is inside any window any more (the history can be dropped). */
  idle(now: number): boolean {
    const longest = Math.max(0, ...this.limits.map((l) => widen(l.perMs)));
    return this.sent.every((t) => t <= now - longest);
  }

  /** Pushes the window forward after a platform's own rate-limit answer (e.g. 130101). */
  backOffUntil(t: number): void {
    const l = this.limits[0];
    if (!l) return;
    for (let i = 0; i < l.max; i++) this.sent.push(t - l.perMs);
    this.sent.sort((a, b) => a - b);
  }
}

/**
 * Documented default limits per platform and target (`../shared/PLATFORMS.md`):
 * DingTalk custom group robot 20/min; WeCom 30/min per member; Feishu custom bot 100/min and
 * 5/s; Slack about 1/s per channel. The lane kind (`robot`, `user`, `chat`) comes from the address.
 */
export const DEFAULT_LIMITS: Record<string, RateLimit[]> = {
  'dingtalk:robot': [{ max: 20, perMs: 60_000 }],
  dingtalk: [{ max: 20, perMs: 60_000 }],
  wecom: [{ max: 30, perMs: 60_000 }],
  'feishu:robot': [
    { max: 100, perMs: 60_000 },
    { max: 5, perMs: 1_000 },
  ],
  feishu: [{ max: 5, perMs: 1_000 }],
  slack: [{ max: 1, perMs: 1_000 }],
  dev: [],
};
