import type { Adapter, Logger } from './adapter.ts';
import { silentLogger } from './adapter.ts';
import { PlatformApiError } from './errors.ts';
import {
  type DeadLetter,
  laneOf,
  type OutboxItem,
  type OutboxItemInput,
  type OutboxOptions,
  type RetryPolicy,
} from './outbox-types.ts';
import { DEFAULT_LIMITS, type RateLimit, SlidingWindow } from './rate-limit.ts';
import type { Store, StoreOp } from './store.ts';
import { splitByBytes, splitByChars } from './text.ts';
import type { Clock, OutgoingMessage, Platform } from './types.ts';

export * from './outbox-types.ts';

import { systemClock } from './types.ts';

const COL = 'outbox';
const DEAD = 'outbox-dead';
const KEYS = 'outbox-keys';
/** Collection of the newest buttons sent to each user (`<platform>:<userId>` → {at, buttons}). */
export const OFFERED_BUTTONS = 'offered-buttons';

/** Outbox counters for `/metrics`. */
export interface OutboxStats {
  sent: number;
  retried: number;
  dead: number;
  deduped: number;
  queued: number;
}

/**
 * Every outgoing message goes through here, from replies and from jobs alike.
 * - Persisted before sending (in the same atomic batch as the turn's state), removed after the
 *   platform accepts it: a restart loses nothing; an item is only re-sent if the process died
 *   between the platform's accept and the removal.
 * - One lane per platform target (user or chat), in order; lanes run in parallel; each lane has
 *   a sliding-window rate limit, so messages wait their turn and are never dropped.
 * - Retries with exponential backoff and jitter on {@link PlatformApiError.retryable}
 *   (network, 429/5xx, platform rate-limit codes), honouring `retryAfterMs`; permanent errors
 *   and exhausted retries go to the dead-letter list (`GET /api/outbox/dead`).
 */
export class Outbox {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly limits: Record<string, RateLimit[]>;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly adapters = new Map<Platform, Adapter>();
  private readonly lanes = new Map<
    string,
    { items: OutboxItem[]; busy: boolean; timer?: NodeJS.Timeout; limiter: SlidingWindow }
  >();
  /** Send history per lane, kept after a lane empties so the next burst still respects the window. */
  private readonly limiters = new Map<string, SlidingWindow>();
  private seq = 0;
  /** Sends and store writes in flight, awaited by {@link stop}. */
  private readonly inflight = new Set<Promise<unknown>>();
  private running = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: OutboxStats = { sent: 0, retried: 0, dead: 0, deduped: 0, queued: 0 };

  constructor(opts: OutboxOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.retry = { baseMs: 1_000, maxMs: 5 * 60_000, maxAttempts: 8, ...opts.retry };
    this.random = opts.random ?? Math.random;
  }

  /** Registers the adapter that sends for its platform. */
  register(adapter: Adapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  /** Loads queued items left by an earlier run and starts sending. */
  async start(): Promise<void> {
    this.running = true;
    // Items committed before start() are already in their lanes; load only the others.
    const known = new Set<string>();
    for (const l of this.lanes.values()) for (const i of l.items) known.add(i.id);
    for (const { value } of await this.store.list<OutboxItem>(COL))
      if (!known.has(value.id)) this.lane(value.lane).items.push(value);
    for (const key of this.lanes.keys()) this.pump(key);
  }

  /** Stops sending (queued items stay in the store for the next start). */
  /** Stops sending; waits for sends and bookkeeping writes in flight (queued items stay in the store). */
  async stop(): Promise<void> {
    this.running = false;
    for (const l of this.lanes.values()) if (l.timer) clearTimeout(l.timer);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Queues messages (jobs, API). Items whose `dedupeKey` was used before are skipped. */
  async enqueue(items: OutboxItemInput[]): Promise<{ queued: number; skipped: number }> {
    return this.commit([], items);
  }

  /**
   * Writes `ops` (a turn's state) and the items in one atomic batch, then starts sending.
   * @returns how many items were queued and how many were skipped as already sent (dedupe).
   */
  async commit(ops: StoreOp[], inputs: OutboxItemInput[]): Promise<{ queued: number; skipped: number }> {
    const now = this.clock.now();
    // Claims run in parallel so a durable store group-commits them (one fsync, not one each).
    const wins = await Promise.all(
      inputs.map((i) =>
        i.dedupeKey ? this.store.claim(KEYS, i.dedupeKey, { at: now }) : Promise.resolve(true),
      ),
    );
    const claimed = inputs.filter((i, n) => i.dedupeKey && wins[n]).map((i) => i.dedupeKey as string);
    const items: OutboxItem[] = [];
    let skipped = 0;
    for (const [n, input] of inputs.entries()) {
      if (!wins[n]) {
        skipped++;
        this.stats.deduped++;
        continue;
      }
      const parts = this.split(input);
      parts.forEach((message, i) => {
        const id = `${String(now).padStart(15, '0')}-${String(this.seq++).padStart(8, '0')}`;
        items.push({
          ...input,
          message,
          idempotencyKey: parts.length > 1 ? `${input.idempotencyKey}#${i}` : input.idempotencyKey,
          id,
          lane: laneOf(input.to),
          createdAt: now,
          attempts: 0,
          nextAttemptAt: now,
        });
      });
    }
    // Remember the newest buttons each user was offered, so a typed number can stand for one
    // (see Bot: text-only platforms and users who type instead of tapping).
    const offered = new Map<string, StoreOp>();
    for (const i of items)
      if (i.message.buttons?.length && i.to.userId && i.to.chatType !== 'group')
        offered.set(`${i.to.platform}:${i.to.userId}`, {
          op: 'put',
          collection: OFFERED_BUTTONS,
          key: `${i.to.platform}:${i.to.userId}`,
          value: { at: now, buttons: i.message.buttons },
          ttlMs: 24 * 3_600_000,
        });
    try {
      await this.store.batch([
        ...ops,
        ...offered.values(),
        ...items.map((v) => ({ op: 'put' as const, collection: COL, key: v.id, value: v })),
      ]);
    } catch (e) {
      for (const k of claimed) await this.store.delete(KEYS, k).catch(() => undefined);
      throw e;
    }
    this.stats.queued += items.length;
    for (const item of items) this.lane(item.lane).items.push(item);
    for (const lane of new Set(items.map((i) => i.lane))) this.pump(lane);
    return { queued: items.length, skipped };
  }

  /** Messages given up on, oldest first. */
  async dead(): Promise<DeadLetter[]> {
    return (await this.store.list<DeadLetter>(DEAD)).map((e) => e.value);
  }

  /** Items still queued, in order. */
  async pending(): Promise<OutboxItem[]> {
    return (await this.store.list<OutboxItem>(COL)).map((e) => e.value);
  }

  /** Resolves when no lane has an item due now or being sent (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    const now = this.clock.now();
    for (const l of this.lanes.values()) {
      if (l.busy) return false;
      if (
        l.items.some(
          (i) => Math.max(i.nextAttemptAt, i.notBefore ?? 0) <= now && this.adapters.has(i.to.platform),
        )
      )
        return false;
    }
    return true;
  }

  private notifyIdle(): void {
    if (!this.idleWaiters.length || !this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  private split(input: OutboxItemInput): OutgoingMessage[] {
    const limit = this.adapters.get(input.to.platform)?.limit;
    if (!limit) return [input.message];
    const parts = limit.bytes
      ? splitByBytes(input.message.text, limit.bytes)
      : limit.chars
        ? splitByChars(input.message.text, limit.chars)
        : [input.message.text];
    if (parts.length <= 1) return [input.message];
    return parts.map((text, i) =>
      i === parts.length - 1
        ? { ...input.message, text }
        : { text, ...(input.message.title ? { title: input.message.title } : {}) },
    );
  }

  private lane(key: string) {
    let l = this.lanes.get(key);
    if (!l) {
      let limiter = this.limiters.get(key);
      if (!limiter) {
        const kind = key.split(':').slice(0, 2).join(':');
        limiter = new SlidingWindow(this.limits[kind] ?? this.limits[key.split(':')[0]] ?? []);
        this.limiters.set(key, limiter);
      }
      l = { items: [], busy: false, limiter };
      this.lanes.set(key, l);
    }
    return l;
  }

  private pump(key: string): void {
    const l = this.lanes.get(key);
    if (!l || l.busy || !this.running) return;
    if (l.timer) {
      clearTimeout(l.timer);
      l.timer = undefined;
    }
    const now = this.clock.now();
    // Order within a lane; an item held for quiet hours does not block a reply behind it.
    const ready = (i: OutboxItem) => Math.max(i.nextAttemptAt, i.notBefore ?? 0);
    const head = l.items.find((i) => (i.notBefore ?? 0) <= now) ?? l.items[0];
    if (!head) {
      this.lanes.delete(key);
      if (l.limiter.idle(now)) this.limiters.delete(key);
      this.notifyIdle();
      return;
    }
    const adapter = this.adapters.get(head.to.platform);
    if (!adapter) {
      this.notifyIdle();
      return; // stays queued until the platform is configured
    }
    const at = Math.max(ready(head), l.limiter.nextAllowed(now));
    if (at > now) {
      l.timer = setTimeout(() => this.pump(key), at - now);
      l.timer.unref?.();
      this.notifyIdle();
      return;
    }
    l.busy = true;
    this.track(
      this.attempt(adapter, head, l).finally(() => {
        l.busy = false;
        this.pump(key);
      }),
    );
  }

  private async attempt(
    adapter: Adapter,
    item: OutboxItem,
    l: { items: OutboxItem[]; limiter: SlidingWindow },
  ): Promise<void> {
    const now = this.clock.now();
    l.limiter.record(now);
    let sent = false;
    try {
      await adapter.send(item.to, item.message, { idempotencyKey: item.idempotencyKey });
      sent = true;
    } catch (e) {
      const err =
        e instanceof PlatformApiError
          ? e
          : new PlatformApiError({
              platform: item.to.platform,
              method: 'send',
              message: e instanceof Error ? e.message : String(e),
              retryable: true,
              cause: e,
            });
      item.attempts++;
      item.lastError = err.message;
      if (err.retryable && item.attempts < this.retry.maxAttempts) {
        const backoff = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (item.attempts - 1));
        const jittered = backoff * (0.8 + 0.4 * this.random());
        const wait = err.retryAfterMs !== undefined ? Math.max(err.retryAfterMs, 0) : jittered;
        item.nextAttemptAt = this.clock.now() + wait;
        if (err.retryAfterMs !== undefined) l.limiter.backOffUntil(item.nextAttemptAt);
        this.stats.retried++;
        this.log.warn('send failed, will retry', {
          lane: item.lane,
          id: item.id,
          attempt: item.attempts,
          waitMs: Math.round(wait),
          error: err.message,
        });
        await this.store.put(COL, item.id, item);
      } else {
        l.items.splice(l.items.indexOf(item), 1);
        const dead: DeadLetter = {
          ...item,
          failedAt: this.clock.now(),
          error: {
            message: err.message,
            platform: err.platform,
            method: err.method,
            status: err.status,
            errcode: err.errcode,
          },
        };
        await this.store.batch([
          { op: 'delete', collection: COL, key: item.id },
          { op: 'put', collection: DEAD, key: item.id, value: dead },
        ]);
        this.stats.dead++;
        this.log.error('message dead-lettered', { lane: item.lane, id: item.id, ...dead.error });
      }
    }
    if (sent) {
      // The platform accepted it: free the lane now and remove the item in the background (a
      // store error here must not count as a failed send, which would send it again).
      l.items.splice(l.items.indexOf(item), 1);
      this.stats.sent++;
      this.track(
        this.store.delete(COL, item.id).catch((e) =>
          this.log.error('outbox: could not remove a sent item (it may be sent again after a restart)', {
            id: item.id,
            error: String(e),
          }),
        ),
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
