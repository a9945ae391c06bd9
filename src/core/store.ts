/**
 * The storage contract. Every backend (memory, lowdb, later PostgreSQL) implements it and
 * passes the shared suite in `test/store-contract.ts`.
 *
 * Data model: named collections of JSON documents keyed by string. This maps 1:1 onto a
 * PostgreSQL table `(collection text, key text, value jsonb, expires_at timestamptz,
 * primary key (collection, key))`, so the SQL backend needs no change in callers.
 *
 * Guarantees every backend gives:
 * - writes are serialized: two concurrent `put`s never lose one another;
 * - a `batch` is atomic: after a crash either all of its ops are visible or none;
 * - a resolved write is durable (the lowdb backend group-commits: writes issued together
 *   share one fsync, and each promise resolves once its group is on disk);
 * - `claim` is an atomic insert-if-absent — the primitive for dedupe (`dedupe/<platform>:<id>`),
 *   job slots (`job:slot`) and nudge keys; with PostgreSQL it is `INSERT … ON CONFLICT DO NOTHING`.
 */
export interface Store {
  /** Reads one document; `undefined` when absent or expired. */
  get<T = unknown>(collection: string, key: string): Promise<T | undefined>;
  /** Writes one document (replaces). `ttlMs` makes it expire that many ms after `now`. */
  put<T = unknown>(collection: string, key: string, value: T, opts?: PutOptions): Promise<void>;
  /** Deletes one document; resolves `true` when something was deleted. */
  delete(collection: string, key: string): Promise<boolean>;
  /**
   * Lists documents of a collection in ascending key order (UTF-16 code unit order),
   * optionally only keys starting with `prefix`. Expired documents are left out.
   */
  list<T = unknown>(collection: string, opts?: ListOptions): Promise<Array<{ key: string; value: T }>>;
  /**
   * Atomic insert-if-absent. Resolves `true` if this call stored the value, `false` if a
   * live (unexpired) document already had that key.
   */
  claim<T = unknown>(collection: string, key: string, value: T, opts?: PutOptions): Promise<boolean>;
  /** Applies several writes atomically, in order. */
  batch(ops: StoreOp[]): Promise<void>;
  /** Resolves when every write issued so far is durable. */
  flush(): Promise<void>;
  /** Flushes and releases files/connections. Further calls reject. */
  close(): Promise<void>;
  /** Cheap liveness check for `/healthz`; rejects when the store cannot answer. */
  ping(): Promise<void>;
  /** Every live document (backup). */
  dump(): Promise<StoreDump>;
  /** Replaces everything with a dump, atomically (restore). */
  restore(dump: StoreDump): Promise<void>;
}

/** A whole-store backup, as written by `rollout backup`. */
export interface StoreDump {
  format: 'rollout-bot-store';
  version: 1;
  /** ISO time of the dump. */
  exportedAt: string;
  collections: Record<string, Record<string, StoredDoc>>;
}

export interface PutOptions {
  /** Time to live in ms from `now` (the store's clock unless given). */
  ttlMs?: number;
  /** Override of the store clock, ms since epoch. */
  now?: number;
}

export interface ListOptions {
  prefix?: string;
  /**
   * Only keys strictly after this one (same order as the listing): a cursor for reading a large
   * collection page by page (`limit` + the last key of the previous page).
   */
  after?: string;
  /** Return at most this many documents. */
  limit?: number;
}

export type StoreOp =
  | { op: 'put'; collection: string; key: string; value: unknown; ttlMs?: number; now?: number }
  | { op: 'delete'; collection: string; key: string };

/** A document as backends keep it. `expiresAt` is ms since epoch (UTC). */
export interface StoredDoc {
  value: unknown;
  expiresAt?: number;
}
