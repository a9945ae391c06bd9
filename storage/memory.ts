import type { Clock, ListOptions, PutOptions, Store, StoreDump, StoredDoc, StoreOp } from '../src/index.ts';
import { cloneValue, systemClock } from '../src/index.ts';

/**
 * In-memory collections with TTL. The shared state machine of the memory and lowdb backends:
 * lowdb replays its journal through {@link MemoryState.apply}.
 */
export class MemoryState {
  readonly collections = new Map<string, Map<string, StoredDoc>>();

  constructor(private readonly clock: Clock = systemClock) {}

  private col(name: string): Map<string, StoredDoc> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  /** Live document or undefined. */
  read(collection: string, key: string, now = this.clock.now()): StoredDoc | undefined {
    const d = this.collections.get(collection)?.get(key);
    if (!d) return undefined;
    if (d.expiresAt !== undefined && d.expiresAt <= now) return undefined;
    return d;
  }

  /** Applies one op (values are stored as given; callers clone). */
  apply(op: StoreOp): void {
    if (op.op === 'put') {
      const now = op.now ?? this.clock.now();
      this.col(op.collection).set(op.key, {
        value: op.value,
        ...(op.ttlMs !== undefined ? { expiresAt: now + op.ttlMs } : {}),
      });
    } else {
      this.collections.get(op.collection)?.delete(op.key);
    }
  }

  /** Applies an op whose expiry is already absolute (journal replay). */
  applyDoc(collection: string, key: string, doc: StoredDoc | null): void {
    if (doc === null) this.collections.get(collection)?.delete(key);
    else this.col(collection).set(key, doc);
  }

  list(collection: string, opts: ListOptions = {}): Array<{ key: string; value: unknown }> {
    const c = this.collections.get(collection);
    if (!c) return [];
    const now = this.clock.now();
    const { prefix, after } = opts;
    const keys = [...c.keys()]
      .filter((k) => (!prefix || k.startsWith(prefix)) && (after === undefined || k > after))
      .sort();
    const out: Array<{ key: string; value: unknown }> = [];
    for (const k of keys) {
      const d = c.get(k)!;
      if (d.expiresAt !== undefined && d.expiresAt <= now) continue;
      out.push({ key: k, value: d.value });
      if (opts.limit !== undefined && out.length >= opts.limit) break;
    }
    return out;
  }

  /** Drops expired documents; returns how many. */
  sweep(now = this.clock.now()): number {
    let n = 0;
    for (const c of this.collections.values()) {
      for (const [k, d] of c) {
        if (d.expiresAt !== undefined && d.expiresAt <= now) {
          c.delete(k);
          n++;
        }
      }
    }
    return n;
  }
}

const clone = <T>(v: T): T => (v === undefined ? v : cloneValue(v));

/** Store kept in process memory: for tests and `STORE=memory`. Values are deep-copied in and out. */
export class MemoryStore implements Store {
  protected readonly state: MemoryState;
  private closed = false;

  constructor(protected readonly clock: Clock = systemClock) {
    this.state = new MemoryState(clock);
  }

  protected check(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    this.check();
    return clone(this.state.read(collection, key)?.value as T | undefined);
  }

  async put<T>(collection: string, key: string, value: T, opts: PutOptions = {}): Promise<void> {
    await this.batch([{ op: 'put', collection, key, value, ttlMs: opts.ttlMs, now: opts.now }]);
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.check();
    const had = this.state.read(collection, key) !== undefined;
    await this.batch([{ op: 'delete', collection, key }]);
    return had;
  }

  async list<T>(collection: string, opts?: ListOptions): Promise<Array<{ key: string; value: T }>> {
    this.check();
    return clone(this.state.list(collection, opts)) as Array<{ key: string; value: T }>;
  }

  async claim<T>(collection: string, key: string, value: T, opts: PutOptions = {}): Promise<boolean> {
    this.check();
    // Check and write happen in one synchronous step, so concurrent claims cannot both win.
    if (this.state.read(collection, key, opts.now ?? this.clock.now())) return false;
    await this.batch([{ op: 'put', collection, key, value, ttlMs: opts.ttlMs, now: opts.now }]);
    return true;
  }

  async batch(ops: StoreOp[]): Promise<void> {
    this.check();
    // Copy every value before applying any, so a value that cannot be copied fails the whole batch.
    const copies = ops.map((op) => (op.op === 'put' ? { ...op, value: clone(op.value) } : op));
    for (const op of copies) this.state.apply(op);
    await this.persist(ops);
  }

  /** Hook for durable backends: called synchronously after ops were applied in memory. */
  protected async persist(_ops: StoreOp[]): Promise<void> {}

  /** Every live document of every collection (`rollout backup`). */
  async dump(): Promise<StoreDump> {
    this.check();
    const now = this.clock.now();
    const collections: StoreDump['collections'] = {};
    for (const [name, col] of this.state.collections) {
      const docs: Record<string, StoredDoc> = {};
      for (const [key, d] of col) if (d.expiresAt === undefined || d.expiresAt > now) docs[key] = clone(d);
      if (Object.keys(docs).length) collections[name] = docs;
    }
    return { format: 'rollout-bot-store', version: 1, exportedAt: new Date(now).toISOString(), collections };
  }

  /** Replaces the whole content with a dump, atomically (`rollout restore`). */
  async restore(dump: StoreDump): Promise<void> {
    this.check();
    if (dump?.format !== 'rollout-bot-store' || dump.version !== 1 || typeof dump.collections !== 'object')
      throw new Error('not a rollout-bot store dump (format/version)');
    const now = this.clock.now();
    const ops: StoreOp[] = [];
    for (const [name, col] of this.state.collections)
      for (const key of col.keys()) ops.push({ op: 'delete', collection: name, key });
    for (const [name, docs] of Object.entries(dump.collections))
      for (const [key, d] of Object.entries(docs)) {
        if (d.expiresAt !== undefined && d.expiresAt <= now) continue;
        ops.push({
          op: 'put',
          collection: name,
          key,
          value: d.value,
          ...(d.expiresAt !== undefined ? { ttlMs: d.expiresAt - now, now } : {}),
        });
      }
    await this.batch(ops);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  async ping(): Promise<void> {
    this.check();
  }
}
