// The per-platform gate of the outbox: send slots in flight and the app-wide rate limit.
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_BY_PLATFORM } from './outbox-types.ts';
import { type RateLimit, SlidingWindow } from './rate-limit.ts';
import type { Clock } from './types.ts';

/** What a gate needs from its outbox. */
export interface GateHost {
  clock: Clock;
  /** `OutboxOptions.maxInFlight`: every platform's slots when set, else the per-platform defaults. */
  maxInFlight?: number;
  /** App-wide limits per platform (`OutboxOptions.appLimits` over `DEFAULT_APP_LIMITS`). */
  appLimits: Record<string, RateLimit[]>;
  /** Tries lane `key` again (it was waiting at the gate and may go now). */
  pump(key: string): void;
  /** Whether the outbox is started. */
  running(): boolean;
}

/**
 * One gate per platform between the lanes (per-target order and limits) and the platform: at
 * most `maxInFlight` sends open at once, and at most the platform's app-wide limits across all
 * its targets. A lane that cannot pass waits at the gate, first come first served; a lane that
 * arrives while others wait queues behind them. Waiting lanes are served when a send settles
 * (slots) or on one timer per platform (rate).
 */
export class PlatformGates {
  private readonly sending = new Map<string, number>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly windows = new Map<string, SlidingWindow | null>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Platforms whose waiting lanes are being served (a lane pumped then may go ahead). */
  private readonly draining = new Set<string>();

  constructor(private readonly host: GateHost) {}

  /**
   * Lets lane `key` send to `platform` at `now` (taking a slot and counting the send against the
   * app-wide limit), or puts it in the waiting line.
   * @returns true when the send may start now; the caller then calls {@link leave} when it settles.
   */
  enter(platform: string, key: string, now: number): boolean {
    const inFlight = this.sending.get(platform) ?? 0;
    const max = this.maxInFlight(platform);
    const window = this.window(platform);
    const at = window?.nextAllowed(now) ?? now;
    const w = this.waiting.get(platform);
    const behind = !!w?.size && !this.draining.has(platform);
    if (inFlight >= max || at > now || behind) {
      const q = w ?? new Set<string>();
      this.waiting.set(platform, q);
      q.add(key);
      if (inFlight < max) this.arm(platform, at); // else a settling send serves the line
      return false;
    }
    this.sending.set(platform, inFlight + 1);
    window?.record(now);
    return true;
  }

  /** A send to `platform` settled: frees its slot and serves the waiting lanes. */
  leave(platform: string): void {
    this.sending.set(platform, (this.sending.get(platform) ?? 1) - 1);
    this.drain(platform);
  }

  /** Forgets the waiting lines and timers (the outbox stopped; it pumps every lane on start). */
  clear(): void {
    this.waiting.clear();
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }

  /** Each platform's app-wide sends that still count at `now` (platforms with none left out). */
  rateHistory(now: number): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [platform, win] of this.windows) {
      const h = win?.history(now) ?? [];
      if (h.length) out[platform] = h;
    }
    return out;
  }

  /** Seeds the app-wide windows with sends recorded before a restart (see {@link rateHistory}). */
  seedRates(history: Record<string, number[]>, now: number): void {
    for (const [platform, times] of Object.entries(history))
      if (Array.isArray(times)) this.window(platform)?.seed(times, now);
  }

  /** Serves `platform`'s waiting lanes, oldest first, while a slot is free and the rate allows. */
  private drain(platform: string): void {
    const w = this.waiting.get(platform);
    if (!w?.size || !this.host.running()) return;
    this.draining.add(platform);
    try {
      for (const key of [...w]) {
        if ((this.sending.get(platform) ?? 0) >= this.maxInFlight(platform)) break;
        const now = this.host.clock.now();
        const at = this.window(platform)?.nextAllowed(now) ?? now;
        if (at > now) {
          this.arm(platform, at);
          break;
        }
        w.delete(key);
        this.host.pump(key);
      }
    } finally {
      this.draining.delete(platform);
    }
  }

  /** Makes sure `platform`'s waiting lanes are served at `at` (ms) at the latest. */
  private arm(platform: string, at: number): void {
    const armed = this.timers.get(platform);
    if (armed && armed.at <= at) return;
    if (armed) clearTimeout(armed.timer);
    const timer = setTimeout(
      () => {
        this.timers.delete(platform);
        this.drain(platform);
      },
      Math.max(0, at - this.host.clock.now()),
    );
    timer.unref?.();
    this.timers.set(platform, { at, timer });
  }

  private maxInFlight(platform: string): number {
    const set = this.host.maxInFlight;
    return set !== undefined
      ? Math.max(1, set)
      : (DEFAULT_MAX_IN_FLIGHT_BY_PLATFORM[platform] ?? DEFAULT_MAX_IN_FLIGHT);
  }

  /** The app-wide send history of `platform`, or null when it has no app-wide limit. */
  private window(platform: string): SlidingWindow | null {
    let win = this.windows.get(platform);
    if (win === undefined) {
      const limits = this.host.appLimits[platform] ?? [];
      win = limits.length ? new SlidingWindow(limits) : null;
      this.windows.set(platform, win);
    }
    return win;
  }
}
