// The in-memory side of the outbox queue: lanes, item ids, and the window of stored items loaded.
import type { Logger } from './adapter.ts';
import type { OutboxBodies } from './outbox-bodies.ts';
import { fromRecord, type OutboxItem, type OutboxRecord, stampOf } from './outbox-types.ts';
import { type RateLimit, SlidingWindow } from './rate-limit.ts';
import type { Store } from './store.ts';
import type { Clock, OutgoingMessage } from './types.ts';

/** Collection of queued items (key = id, ascending = send order). */
export const OUTBOX = 'outbox';

/** A queued item in memory: message resolved, `body` kept to release its reference. */
export type Queued = OutboxItem & { body?: string };

/** One lane (ordering + rate-limit unit) in memory. */
export interface Lane {
  items: Queued[];
  busy: boolean;
  timer?: NodeJS.Timeout;
  limiter: SlidingWindow;
}

/** What the queue needs from its {@link Outbox}. */
export interface QueueHost {
  store: Store;
  bodies: OutboxBodies;
  clock: Clock;
  log: Logger;
  limits: Record<string, RateLimit[]>;
  /** Items held in memory at most (see `OutboxOptions.window`). */
  window: number;
  /** Whether the outbox is started. */
  running(): boolean;
  /** Whether an adapter is registered for the platform. */
  canSend(platform: string): boolean;
  /** Items were loaded into these lanes: start them. */
  loaded(lanes: Iterable<string>): void;
  /** A load finished (idle waiters may be released). */
  settled(): void;
}

/** Placeholder message of an item whose body is missing from the store. */
export const MISSING: OutgoingMessage = { text: '' };

/** Items read per page when scanning the stored queue at start. */
const SCAN_PAGE = 1_000;

/**
 * The lanes and the window of queued items held in memory. Invariant: every stored item with
 * an id up to {@link cursor} is in a lane (or being removed); items after it are only in the
 * store while {@link backlog} is set, and are loaded in key order, half a window at a time,
 * when fewer than half a window of loaded items can be sent. Items held for quiet hours or
 * for a platform without an adapter do not count as sendable, so they never keep a later reply
 * waiting in the store (they come on top of the window). Ids only grow, so a new item always
 * sorts after everything loaded.
 */
export class OutboxQueue {
  readonly lanes = new Map<string, Lane>();
  /** Send history per lane, kept after a lane empties so the next burst still respects the window. */
  private readonly limiters = new Map<string, SlidingWindow>();
  /** Items in lanes. */
  held = 0;
  private cursor = '';
  /** The store may hold items after {@link cursor} (unknown before start). */
  private backlog = true;
  /** Bumped when a commit leaves items in the store only (a refill in flight keeps the backlog). */
  private epoch = 0;
  /** The load in flight, if any. */
  loading: Promise<void> | undefined;
  /** Highest id time part issued or found: ids only grow, even if the clock steps back. */
  private lastStamp = 0;
  private seq = 0;
  /** Ids of loaded items whose body is missing from the store (dead-lettered on their turn). */
  private readonly missing = new Set<string>();

  constructor(private readonly host: QueueHost) {}

  /** A new item id, `<ms, 15 digits>-<seq, 8 digits>`: ascending in issue order. */
  nextId(now: number): string {
    this.lastStamp = Math.max(now, this.lastStamp);
    return `${String(this.lastStamp).padStart(15, '0')}-${String(this.seq++).padStart(8, '0')}`;
  }

  /**
   * Start: scans the stored queue once, page by page — body references (reset in
   * {@link OutboxBodies}), the newest id (new ids sort after it) — and deletes orphaned bodies.
   */
  async scan(): Promise<void> {
    const { store, bodies } = this.host;
    const counts = new Map<string, number>();
    let after: string | undefined;
    let newest = '';
    for (;;) {
      // A commit between this request and its answer may write items the page misses: read on.
      const mark = bodies.acquisitions;
      const rows = await store.list<OutboxRecord>(OUTBOX, { after, limit: SCAN_PAGE });
      for (const { key, value } of rows) {
        if (value.body) counts.set(value.body, (counts.get(value.body) ?? 0) + 1);
        newest = key;
      }
      if (rows.length < SCAN_PAGE && mark === bodies.acquisitions) break;
      after = newest || undefined;
    }
    bodies.reset(counts); // same tick as the last page read (see OutboxBodies.reset)
    const stamp = newest ? stampOf(newest) : 0;
    if (stamp >= this.lastStamp) {
      this.lastStamp = stamp;
      this.seq = Math.max(this.seq, (Number(newest.slice(newest.indexOf('-') + 1)) || 0) + 1);
    }
    await bodies.sweep(store);
  }

  /**
   * Puts newly written items into their lanes when the window holds every earlier item and has
   * room; otherwise they wait in the store (backlog) for {@link refill}.
   * @returns the lanes that got items.
   */
  admit(items: Queued[]): Set<string> {
    const lanes = new Set<string>();
    for (const item of items) {
      if (item.id <= this.cursor) continue; // a refill already loaded it
      if (this.host.running() && !this.backlog && this.held < this.host.window) {
        this.push(item);
        lanes.add(item.lane);
      } else {
        this.backlog = true;
        this.epoch++;
      }
    }
    return lanes;
  }

  /** Takes a sent or dead item out of its lane and the window; loads more when the window runs low. */
  remove(item: Queued, l: Lane): void {
    l.items.splice(l.items.indexOf(item), 1);
    this.held--;
    this.missing.delete(item.id);
    void this.refill();
  }

  /** Whether a loaded item's body was missing from the store. */
  isMissing(id: string): boolean {
    return this.missing.has(id);
  }

  /** The lane of `key`, created (with its rate limiter) when absent. */
  lane(key: string): Lane {
    let l = this.lanes.get(key);
    if (!l) {
      l = { items: [], busy: false, limiter: this.limiter(key) };
      this.lanes.set(key, l);
    }
    return l;
  }

  /** The rate limiter of lane `key` (kept across the lane emptying), created when absent. */
  private limiter(key: string): SlidingWindow {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      const { limits } = this.host;
      const kind = key.split(':').slice(0, 2).join(':');
      limiter = new SlidingWindow(limits[kind] ?? limits[key.split(':')[0]] ?? []);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** Each lane's sends that still count at `now` (lanes with none left out). */
  rateHistory(now: number): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [key, limiter] of this.limiters) {
      const h = limiter.history(now);
      if (h.length) out[key] = h;
    }
    return out;
  }

  /** Seeds lanes' limiters with sends recorded before a restart (see {@link rateHistory}). */
  seedRates(history: Record<string, number[]>, now: number): void {
    for (const [key, times] of Object.entries(history))
      if (Array.isArray(times)) this.limiter(key).seed(times, now);
  }

  /** Forgets an empty lane (and its send history once that no longer limits anything). */
  drop(key: string, l: Lane, now: number): void {
    this.lanes.delete(key);
    if (l.limiter.idle(now)) this.limiters.delete(key);
  }

  /**
   * Loads the next half window of stored items (key order) while the backlog lasts and fewer
   * than half a window of loaded items can be sent. A failed read is retried after 1 s.
   * @returns the load in flight, if any.
   */
  refill(): Promise<void> | undefined {
    const page = Math.ceil(this.host.window / 2);
    if (this.loading || !this.backlog || !this.host.running()) return this.loading;
    if (this.held >= page && this.sendable() >= page) return;
    const epoch = this.epoch;
    const from = this.cursor;
    this.loading = this.load(from, page, epoch)
      .then(
        (lanes) => {
          this.loading = undefined;
          this.host.loaded(lanes);
          void this.refill();
        },
        (e) => {
          this.loading = undefined;
          this.host.log.error('outbox: could not load queued items (retrying in 1 s)', { error: String(e) });
          const t = setTimeout(() => void this.refill(), 1_000);
          t.unref?.();
        },
      )
      .finally(() => this.host.settled());
    return this.loading;
  }

  private async load(from: string, page: number, epoch: number): Promise<Set<string>> {
    const { store, bodies } = this.host;
    const rows = await store.list<OutboxRecord>(OUTBOX, { after: from || undefined, limit: page });
    const messages = await bodies.load(rows.flatMap((r) => (r.value.body ? [r.value.body] : [])));
    const lanes = new Set<string>();
    for (const { key, value } of rows) {
      if (key <= this.cursor) continue;
      const message = value.message ?? (value.body ? messages.get(value.body) : undefined);
      const item: Queued = fromRecord(key, value, message ?? MISSING);
      if (value.body) item.body = value.body;
      this.push(item);
      if (!message) this.missing.add(item.id);
      lanes.add(item.lane);
    }
    if (rows.length < page && epoch === this.epoch) this.backlog = false;
    return lanes;
  }

  private push(item: Queued): void {
    this.lane(item.lane).items.push(item);
    this.held++;
    if (item.id > this.cursor) this.cursor = item.id;
  }

  /** Loaded items that could go now or once their lane's limit allows (not held, routable). */
  private sendable(): number {
    const now = this.host.clock.now();
    let n = 0;
    for (const l of this.lanes.values())
      for (const i of l.items) if ((i.notBefore ?? 0) <= now && this.host.canSend(i.to.platform)) n++;
    return n;
  }
}
