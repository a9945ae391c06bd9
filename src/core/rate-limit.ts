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
  /** Send times, ascending (ms). */
  private readonly sent: number[] = [];
  private readonly longest: number;
  /** Latest `now` seen (ms): a smaller one means the clock stepped back. */
  private lastNow = Number.NEGATIVE_INFINITY;
  constructor(private readonly limits: RateLimit[]) {
    this.longest = Math.max(0, ...limits.map((l) => widen(l.perMs)));
  }

  /**
   * Earliest ms (≥ now) at which one more send is allowed. Sends are recorded when they start
   * but platforms count arrivals, so each window is widened by {@link SAFETY} (5 %, at least
   * 20 ms): sending exactly at the limit let jitter put max + 1 in the platform's window.
   * O(log n) per limit: app-wide windows hold thousands of sends.
   */
  nextAllowed(now: number): number {
    this.follow(now);
    let at = now;
    for (const l of this.limits) {
      const span = widen(l.perMs);
      const inWindow = this.sent.length - this.firstAfter(now - span);
      if (inWindow >= l.max) at = Math.max(at, this.sent[this.sent.length - l.max] + span);
    }
    return at;
  }

  /** Records a send at `now`; forgets sends older than the longest window. */
  record(now: number): void {
    this.follow(now);
    this.insert(now);
    const drop = this.firstAfter(now - this.longest);
    if (drop > 0) this.sent.splice(0, drop);
  }

  /** True when no send is inside any window any more (the history can be dropped). */
  idle(now: number): boolean {
    this.follow(now);
    return !this.sent.length || this.sent[this.sent.length - 1] <= now - this.longest;
  }

  /**
   * The sends that still count at `now` (ms, ascending), at most the largest `max` of the limits
   * (older ones can no longer hold a send back): what {@link seed} needs to carry the window
   * over a restart.
   */
  history(now: number): number[] {
    this.follow(now);
    const keep = Math.max(0, ...this.limits.map((l) => l.max));
    const from = Math.max(this.firstAfter(now - this.longest), this.sent.length - keep);
    return this.sent.slice(from);
  }

  /** Adds sends recorded by an earlier process (see {@link history}); any later than `now` count as `now`. */
  seed(times: number[], now: number): void {
    this.follow(now);
    for (const t of times) if (Number.isFinite(t)) this.insert(Math.min(t, now));
  }

  /** Pushes the window forward after a platform's own rate-limit answer (e.g. 130101). */
  backOffUntil(t: number): void {
    const l = this.limits[0];
    if (!l) return;
    for (let i = 0; i < l.max; i++) this.insert(t - l.perMs);
  }

  /**
   * Keeps the history in step with a clock that stepped back (NTP, a VM resumed): shifting it by
   * the step keeps each send as long ago as it really was, where unshifted sends would look like
   * they lie in the future and hold every send back for the whole step.
   */
  private follow(now: number): void {
    if (now < this.lastNow) {
      const step = this.lastNow - now;
      for (let i = 0; i < this.sent.length; i++) this.sent[i] -= step;
    }
    this.lastNow = now;
  }

  /** Index of the first recorded send later than `t` (binary search). */
  private firstAfter(t: number): number {
    let lo = 0;
    let hi = this.sent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sent[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Inserts keeping the order (a clock may step back; sends are normally appended). */
  private insert(t: number): void {
    const n = this.sent.length;
    if (!n || this.sent[n - 1] <= t) this.sent.push(t);
    else this.sent.splice(this.firstAfter(t), 0, t);
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

/**
 * Documented default limits per platform for the whole app, across every target
 * (`../shared/PLATFORMS.md`): Feishu message APIs 1000/min and 50/s per app [F15][F14]; WeCom
 * 10,000/min per corp per API [W]. DingTalk and Slack document no app-wide figure for their send
 * APIs (Slack: "a workspace cap"), so none is assumed; a 429 there is retried as usual.
 * @see https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control
 * @see https://developer.work.weixin.qq.com/document/path/90312
 */
export const DEFAULT_APP_LIMITS: Record<string, RateLimit[]> = {
  feishu: [
    { max: 1_000, perMs: 60_000 },
    { max: 50, perMs: 1_000 },
  ],
  wecom: [{ max: 10_000, perMs: 60_000 }],
};
