import type { Adapter, Logger } from './adapter.ts';
import { silentLogger } from './adapter.ts';
import { PlatformApiError } from './errors.ts';
import { OfferedButtons } from './offered-buttons.ts';
import { OutboxBodies } from './outbox-bodies.ts';
import { PlatformGates } from './outbox-gate.ts';
import { buildItems } from './outbox-items.ts';
import { type Lane, MISSING, OUTBOX, OutboxQueue, type Queued } from './outbox-queue.ts';
import { loadRates, saveRates } from './outbox-rates.ts';
import {
  type DeadLetter,
  fromRecord,
  type OutboxItem,
  type OutboxItemInput,
  type OutboxOptions,
  type OutboxRecord,
  type RetryPolicy,
  toRecord,
} from './outbox-types.ts';
import { DEFAULT_APP_LIMITS, DEFAULT_LIMITS, type RateLimit } from './rate-limit.ts';
import type { Store, StoreOp } from './store.ts';
import type { Clock, OutgoingMessage, Platform } from './types.ts';

export { OFFERED_BUTTON_SETS, OFFERED_BUTTONS, readOfferedButtons } from './offered-buttons.ts';
export { INLINE_MAX_CHARS, OUTBOX_BODY } from './outbox-bodies.ts';
export * from './outbox-types.ts';

import { systemClock } from './types.ts';

const COL = OUTBOX;
const DEAD = 'outbox-dead';
const KEYS = 'outbox-keys';

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
 * - Compact and windowed: a message body is stored once however many items carry it
 *   ({@link OutboxBodies}); at most `window` items are held in memory, the rest wait in the
 *   store and are loaded in key order (= send order) as sending makes room. One Outbox per store.
 */
export class Outbox {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly limits: Record<string, RateLimit[]>;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly adapters = new Map<Platform, Adapter>();
  private readonly bodies: OutboxBodies;
  private readonly offered = new OfferedButtons();
  private readonly queue: OutboxQueue;
  /** Sends and store writes in flight, awaited by {@link stop}. */
  private readonly inflight = new Set<Promise<unknown>>();
  /** Send slots and app-wide rate limits per platform, with the lanes waiting for them. */
  private readonly gates: PlatformGates;
  private running = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: OutboxStats = { sent: 0, retried: 0, dead: 0, deduped: 0, queued: 0 };

  constructor(opts: OutboxOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.gates = new PlatformGates({
      clock: this.clock,
      maxInFlight: opts.maxInFlight,
      appLimits: { ...DEFAULT_APP_LIMITS, ...opts.appLimits },
      pump: (key) => this.pump(key),
      running: () => this.running,
    });
    this.retry = { baseMs: 1_000, maxMs: 5 * 60_000, maxAttempts: 8, ...opts.retry };
    this.random = opts.random ?? Math.random;
    this.bodies = new OutboxBodies(this.store);
    this.queue = new OutboxQueue({
      store: this.store,
      bodies: this.bodies,
      clock: this.clock,
      log: this.log,
      limits: this.limits,
      window: Math.max(2, opts.window ?? 1_000),
      running: () => this.running,
      canSend: (platform) => this.adapters.has(platform as Platform),
      loaded: (lanes) => {
        for (const lane of lanes) this.pump(lane);
      },
      settled: () => this.notifyIdle(),
    });
  }

  /** The lanes in memory. */
  private get lanes() {
    return this.queue.lanes;
  }

  /** Registers the adapter that sends for its platform. */
  register(adapter: Adapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  /**
   * Starts sending: scans the stored queue once (body references, newest id; orphaned bodies
   * are deleted), then loads the first window of items, oldest first.
   */
  async start(): Promise<void> {
    await this.queue.scan();
    await loadRates(this.store, this.clock.now(), [this.queue, this.gates], this.log);
    this.running = true;
    for (const key of this.lanes.keys()) this.pump(key);
    await this.queue.refill();
  }

  /** Stops sending; waits for sends and bookkeeping writes in flight (queued items stay in the store). */
  async stop(): Promise<void> {
    this.running = false;
    this.gates.clear();
    for (const l of this.lanes.values()) if (l.timer) clearTimeout(l.timer);
    while (this.inflight.size || this.queue.loading)
      await Promise.allSettled([...this.inflight, this.queue.loading]);
    await saveRates(this.store, this.clock.now(), { lanes: this.queue, apps: this.gates }, this.log);
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
    let skipped = 0;
    for (const won of wins) if (!won) skipped++;
    this.stats.deduped += skipped;
    const generation = this.bodies.generation;
    let refs: Array<{ body: string; message: OutgoingMessage }> = [];
    let items: Queued[];
    try {
      items = buildItems(
        inputs.filter((_, n) => wins[n]),
        now,
        {
          limitOf: (platform) => this.adapters.get(platform)?.limit,
          bodyKeyOf: (message) => this.bodies.keyOf(message),
          nextId: (at) => this.queue.nextId(at),
        },
      );
      // From taking the body references to issuing the batch: one synchronous step (OutboxBodies).
      refs = items.filter((i) => i.body).map((i) => ({ body: i.body!, message: i.message }));
      await this.store.batch([
        ...ops,
        ...this.bodies.acquire(refs),
        ...items.map((v) => ({ op: 'put' as const, collection: COL, key: v.id, value: toRecord(v, v.body) })),
      ]);
    } catch (e) {
      this.bodies.rollback(
        refs.map((r) => r.body),
        generation,
      );
      for (const k of claimed) await this.store.delete(KEYS, k).catch(() => undefined);
      throw e;
    }
    this.stats.queued += items.length;
    for (const lane of this.queue.admit(items)) this.pump(lane);
    void this.queue.refill();
    return { queued: items.length, skipped };
  }

  /** Messages given up on, oldest first. */
  async dead(): Promise<DeadLetter[]> {
    return (await this.store.list<DeadLetter>(DEAD)).map((e) => e.value);
  }

  /** Items still queued, in order (messages resolved, as they will be sent). */
  async pending(): Promise<OutboxItem[]> {
    const rows = await this.store.list<OutboxRecord>(COL);
    const messages = await this.bodies.load(rows.flatMap((r) => (r.value.body ? [r.value.body] : [])));
    return rows.map(({ key, value: r }) => fromRecord(key, r, r.message ?? messages.get(r.body!) ?? MISSING));
  }

  /** Resolves when no lane has an item due now or being sent (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    if (this.queue.loading) return false;
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

  private pump(key: string): void {
    const l = this.lanes.get(key);
    if (!l || l.busy || !this.running) return;
    if (l.timer) {
      clearTimeout(l.timer);
      l.timer = undefined;
    }
    const now = this.clock.now();
    // Order within a lane; an item held for quiet hours does not block a reply behind it.
    const ready = (i: Queued) => Math.max(i.nextAttemptAt, i.notBefore ?? 0);
    const head = l.items.find((i) => (i.notBefore ?? 0) <= now) ?? l.items[0];
    if (!head) {
      this.queue.drop(key, l, now);
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
    const platform = head.to.platform;
    if (!this.gates.enter(platform, key, now)) return; // pumped again when the gate lets it through
    l.busy = true;
    this.track(
      this.attempt(adapter, head, l).finally(() => {
        l.busy = false;
        this.gates.leave(platform);
        this.pump(key);
      }),
    );
  }

  private async attempt(adapter: Adapter, item: Queued, l: Lane): Promise<void> {
    const now = this.clock.now();
    l.limiter.record(now);
    let sent = false;
    try {
      if (this.queue.isMissing(item.id))
        throw new PlatformApiError({
          platform: item.to.platform,
          method: 'send',
          message: `outbox: message body ${item.body} is missing from the store`,
          retryable: false,
        });
      await adapter.send(item.to, item.message, {
        idempotencyKey: item.idempotencyKey,
        ...(item.dedupeKey !== undefined ? { push: true } : {}),
      });
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
        await this.store.put(COL, item.id, toRecord(item, item.body));
      } else {
        this.queue.remove(item, l);
        const { body: _body, ...rest } = item;
        const dead: DeadLetter = {
          ...rest,
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
          ...this.bodies.release(item.body),
        ]);
        this.stats.dead++;
        this.log.error('message dead-lettered', { lane: item.lane, id: item.id, ...dead.error });
      }
    }
    if (sent) {
      // The platform accepted it: free the lane now and remove the item in the background (a
      // store error here must not count as a failed send, which would send it again).
      // With it, remember the buttons the user now sees, so a typed number can stand for one
      // (see Bot: text-only platforms and users who type instead of tapping).
      this.queue.remove(item, l);
      this.stats.sent++;
      const buttons = item.message.byNumber === false ? undefined : item.message.buttons;
      const offered = this.offered.ops(item.to, buttons, this.clock.now());
      this.track(
        this.store
          .batch([
            { op: 'delete', collection: COL, key: item.id },
            ...this.bodies.release(item.body),
            ...offered,
          ])
          .catch((e) => {
            this.offered.forget(offered);
            this.log.error('outbox: could not remove a sent item (it may be sent again after a restart)', {
              id: item.id,
              error: String(e),
            });
          }),
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
