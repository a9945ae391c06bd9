import { createHash } from 'node:crypto';
import type { Store, StoreOp } from './store.ts';
import type { OutgoingMessage } from './types.ts';

/** Collection of message bodies shared by queued items: key = sha1 (hex) of the message JSON. */
export const OUTBOX_BODY = 'outbox-body';

/**
 * Messages whose JSON is at most this many UTF-16 code units stay inline in their item: a body
 * document would cost more than it saves.
 */
export const INLINE_MAX_CHARS = 256;

/** Messages kept in the lookup cache (in-memory items hold their own message besides). */
const CACHE_MAX = 1_000;

/**
 * Message bodies stored once (`outbox-body/<sha1>`) and referenced by the queued items that
 * carry them, so a push of the same lesson to 10k users stores its text once, not 10k times.
 *
 * Reference counting is in process: the one {@link Outbox} that owns a store counts, per body,
 * the queued items (in memory or not) that refer to it — set by {@link reset} from a scan of
 * the queue at start — and deletes the body in the same atomic batch as its last item. Callers
 * take a reference ({@link acquire}) and release it ({@link release}) synchronously right before
 * the `store.batch` that writes or deletes the items, so with a store that applies batches in
 * call order (memory, lowdb) a body is never deleted while an item refers to it. An over-count
 * (an item sent while start() scanned) only leaves a body behind, removed by the next start's
 * sweep ({@link sweep}). A multi-instance backend (PostgreSQL) would count in
 * SQL instead (`DELETE … WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE body = …)`).
 */
export class OutboxBodies {
  /** Queued items referring to each body. */
  private readonly refs = new Map<string, number>();
  /** Messages of referenced bodies, newest last, at most {@link CACHE_MAX}. */
  private readonly cache = new Map<string, OutgoingMessage>();
  /** Keys already computed, by message object (a job shares one rendered message across users). */
  private readonly keys = new WeakMap<OutgoingMessage, string>();
  private gen = 0;
  private taken = 0;

  constructor(private readonly store: Pick<Store, 'get' | 'list'>) {}

  /** The body key of `message`, or undefined when it is small enough to stay inline. */
  keyOf(message: OutgoingMessage): string | undefined {
    const known = this.keys.get(message);
    if (known !== undefined) return known || undefined;
    const json = JSON.stringify(message);
    const key = json.length > INLINE_MAX_CHARS ? createHash('sha1').update(json).digest('hex') : '';
    this.keys.set(message, key);
    return key || undefined;
  }

  /**
   * Takes one reference per entry; returns the puts of bodies not referenced before (to go in
   * the same batch as the items). Call synchronously right before that batch.
   */
  acquire(entries: Array<{ body: string; message: OutgoingMessage }>): StoreOp[] {
    const ops: StoreOp[] = [];
    if (entries.length) this.taken++;
    for (const { body, message } of entries) {
      const n = this.refs.get(body) ?? 0;
      if (n === 0) {
        ops.push({ op: 'put', collection: OUTBOX_BODY, key: body, value: message });
        this.remember(body, message);
      }
      this.refs.set(body, n + 1);
    }
    return ops;
  }

  /**
   * Undoes {@link acquire} after its batch failed (nothing of it was written).
   * @param generation {@link generation} read when acquiring: a count replaced since then by
   *   {@link reset} never included these references, so nothing is undone.
   */
  rollback(bodies: string[], generation: number): void {
    if (generation !== this.generation) return;
    for (const body of bodies) this.drop(body);
  }

  /** Bumped by every {@link acquire} that took a reference (a scan re-reads when it moved). */
  get acquisitions(): number {
    return this.taken;
  }

  /** Bumped by every {@link reset}. */
  get generation(): number {
    return this.gen;
  }

  /**
   * Releases one reference; returns the delete of the body when it was the last (to go in the
   * same batch as the item's removal). Call synchronously right before that batch.
   */
  release(body: string | undefined): StoreOp[] {
    if (body === undefined) return [];
    return this.drop(body) ? [{ op: 'delete', collection: OUTBOX_BODY, key: body }] : [];
  }

  /**
   * Replaces the counts with those of a scan of the stored queue (start). Call synchronously
   * after the scan's last page, and only when no reference was taken ({@link acquisitions})
   * since that page was requested: every item written before then was seen by the scan (new
   * ids sort after the pages already read), so the scan's count is the whole count.
   */
  reset(counts: Map<string, number>): void {
    this.refs.clear();
    for (const [body, n] of counts) this.refs.set(body, n);
    this.gen++;
  }

  /**
   * Deletes stored bodies no queued item refers to (left by a crash or an earlier version).
   * @returns how many were deleted.
   */
  async sweep(store: Pick<Store, 'list' | 'batch'>, page = 500): Promise<number> {
    let after: string | undefined;
    let n = 0;
    for (;;) {
      const rows = await store.list(OUTBOX_BODY, { after, limit: page });
      const orphans = rows.filter((r) => !this.refs.get(r.key));
      if (orphans.length) {
        await store.batch(
          orphans.map((r) => ({ op: 'delete' as const, collection: OUTBOX_BODY, key: r.key })),
        );
        n += orphans.length;
      }
      if (rows.length < page) return n;
      after = rows.at(-1)!.key;
    }
  }

  /**
   * The messages of `bodies` (cached, else read from the store); a body missing from the
   * store is left out of the result.
   */
  async load(bodies: Iterable<string>): Promise<Map<string, OutgoingMessage>> {
    const out = new Map<string, OutgoingMessage>();
    for (const body of bodies) {
      if (out.has(body)) continue;
      let m = this.cache.get(body);
      if (!m) {
        m = await this.store.get<OutgoingMessage>(OUTBOX_BODY, body);
        if (m && this.refs.get(body)) this.remember(body, m);
      }
      if (m) out.set(body, m);
    }
    return out;
  }

  /** Bodies currently referenced (tests, stats). */
  get size(): number {
    return this.refs.size;
  }

  /** Releases one reference; true when that was the last known one (a body never counted is kept). */
  private drop(body: string): boolean {
    const n = this.refs.get(body);
    if (n === undefined) return false;
    if (n > 1) {
      this.refs.set(body, n - 1);
      return false;
    }
    this.refs.delete(body);
    this.cache.delete(body);
    return true;
  }

  /** Caches a message, keeping at most {@link CACHE_MAX} (oldest dropped first). */
  private remember(body: string, message: OutgoingMessage): void {
    this.cache.delete(body);
    this.cache.set(body, message);
    if (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
  }
}
