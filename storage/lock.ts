import { open, readFile, stat, unlink } from 'node:fs/promises';
import { BotError, ErrorCode, type Logger, processAlive, silentLogger } from '../src/index.ts';

/** A held store lock; `release` removes the lock file if it is still ours. */
export interface StoreLock {
  readonly file: string;
  release(): Promise<void>;
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** A pid-less lock file younger than this (ms) is assumed to be mid-creation by a live process. */
const FRESH_MS = 10_000;

async function youngerThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs < ms;
  } catch {
    return false;
  }
}

async function tryCreate(file: string): Promise<boolean> {
  try {
    const fh = await open(file, 'wx');
    try {
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Takes the lock file `file` (content: the holder's pid), so two processes never write the
 * same store. A lock left by a dead process (no such pid) is taken over, with a warning.
 * The same process opening the store twice is refused like any other live holder.
 *
 * Takeover of a stale lock is not race-free against a third process starting in the same
 * instant; a deployment runs one bot process per data directory, so this is enough.
 *
 * A live holder can be waited for (`opts.waitMs`): a server restarted right after its
 * predecessor was told to stop finds the lock still held while that one flushes and exits.
 *
 * @param file absolute or relative path of the lock file, e.g. `DATA_DIR/db.lock`.
 * @param opts `waitMs`: how long to wait for a live holder to let go, in ms (default 0: refuse
 *   at once); polled every 100 ms.
 * @throws {BotError} code `store_io` when a live process holds the lock (after `waitMs`); the
 *   message names the lock file and the holding pid.
 */
export async function acquireLock(
  file: string,
  log: Logger = silentLogger,
  opts: { waitMs?: number } = {},
): Promise<StoreLock> {
  const until = Date.now() + (opts.waitMs ?? 0);
  let waited = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file)) {
      return {
        file,
        async release() {
          if ((await readPid(file).catch(() => undefined)) === process.pid)
            await unlink(file).catch(() => {});
        },
      };
    }
    const pid = await readPid(file);
    if (pid !== undefined && pid !== process.pid && processAlive(pid) && Date.now() < until) {
      if (!waited) log.info('store lock held by another process; waiting for it to stop', { file, pid });
      waited = true;
      await new Promise((r) => setTimeout(r, 100));
      attempt--; // waiting is not a takeover attempt
      continue;
    }
    if (pid !== undefined && processAlive(pid)) {
      throw new BotError(
        ErrorCode.StoreIo,
        `store is locked by process ${pid}${pid === process.pid ? ' (this process)' : ''} (lock file ${file}); ` +
          'stop that process first, or delete the lock file if no bot is running',
      );
    }
    if (pid === undefined && (await youngerThan(file, FRESH_MS))) {
      // Another process is between creating the file and writing its pid.
      throw new BotError(ErrorCode.StoreIo, `store lock ${file} is being taken by another process`);
    }
    // Dead holder, or an old lock file without a readable pid (its writer died creating it).
    log.warn('taking over stale store lock', { file, pid });
    await unlink(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  throw new BotError(
    ErrorCode.StoreIo,
    `could not take the store lock ${file}: another process keeps taking it`,
  );
}
