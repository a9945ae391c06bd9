import { BotError, type Clock, ErrorCode, type Logger, type Store } from '../src/index.ts';
import { LowdbStore } from './lowdb.ts';
import { MemoryStore } from './memory.ts';

export interface CreateStoreOptions {
  /** Backend, from `STORE`. */
  store: 'lowdb' | 'memory' | 'postgres';
  /** From `DATA_DIR`; the lowdb backend keeps `db.json`, its journal and `db.lock` there. */
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** lowdb: how long to wait for another live process to release `db.lock`, ms (default 0). */
  lockWaitMs?: number;
}

/**
 * Opens the configured store backend.
 * @throws {BotError} code `config_invalid` for `postgres` (not available yet).
 * @throws {BotError} code `store_io` when another process holds `DATA_DIR/db.lock` (lowdb).
 * @throws {StoreCorruptError} code `store_corrupt` naming the file when `db.json` or its
 *   journal is corrupt or unreadable (lowdb); the file is left untouched.
 */
export async function createStore(opts: CreateStoreOptions): Promise<Store> {
  switch (opts.store) {
    case 'memory':
      return new MemoryStore(opts.clock);
    case 'lowdb':
      return LowdbStore.open({
        dataDir: opts.dataDir,
        clock: opts.clock,
        log: opts.log,
        lockWaitMs: opts.lockWaitMs,
      });
    case 'postgres':
      throw new BotError(
        ErrorCode.ConfigInvalid,
        'STORE=postgres is not available yet; use STORE=lowdb (the default) or STORE=memory',
      );
  }
}
