import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { join } from 'node:path';
import { type Logger, silentLogger } from '../core/adapter.ts';
import { createFaqIndex, type FaqIndex } from './faq-index.ts';
import { loadFaq } from './load.ts';

/** Default quiet period after the last file event before rebuilding, ms. */
export const RELOAD_DEBOUNCE_MS = 300;

/** A running content watcher (see {@link createFaqReloader}). */
export interface FaqReloader {
  /**
   * Loads `<flowsDir>/faq` and builds a new index now. On success calls `onReload` and resolves
   * it; on bad content logs the error (`faq content invalid`) and resolves undefined — the
   * caller keeps its previous index.
   */
  reload(): Promise<FaqIndex | undefined>;
  /** Stops watching; pending reloads are dropped. */
  stop(): void;
}

/**
 * Watches `<flowsDir>/faq` (`fs.watch`) and rebuilds the index after edits, debounced so an
 * editor's save burst causes one rebuild. A bad edit keeps the old index and logs the problem
 * (file, line, entry). A missing folder is watched for via its parent until it appears.
 * @param onReload receives each new index (swap it in).
 * @returns a stop function (as `src/main.ts` expects); see {@link createFaqReloader} for more.
 */
export function watchFaq(
  flowsDir: string,
  onReload: (index: FaqIndex) => void,
  log: Logger = silentLogger,
  opts: ReloaderOptions = {},
): () => void {
  const r = createFaqReloader(flowsDir, onReload, log, opts);
  return () => r.stop();
}

/** Options of {@link watchFaq} / {@link createFaqReloader}. */
export interface ReloaderOptions {
  /** Quiet period after the last file event, ms (default {@link RELOAD_DEBOUNCE_MS}). */
  debounceMs?: number;
  /** `fs.watch` stand-in (tests drive events by hand). */
  watch?: (path: string, listener: (event: string, filename: string | null) => void) => FSWatcher;
}

/** {@link watchFaq} with access to `reload()` (tests, an admin "reload now"). */
export function createFaqReloader(
  flowsDir: string,
  onReload: (index: FaqIndex) => void,
  log: Logger = silentLogger,
  opts: ReloaderOptions = {},
): FaqReloader {
  const debounceMs = opts.debounceMs ?? RELOAD_DEBOUNCE_MS;
  const watch = opts.watch ?? ((path, listener) => fsWatch(path, listener));
  const dir = join(flowsDir, 'faq');
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const reload = async (): Promise<FaqIndex | undefined> => {
    try {
      const index = createFaqIndex(await loadFaq(flowsDir));
      if (stopped) return undefined;
      onReload(index);
      return index;
    } catch (e) {
      log.error('faq content invalid; keeping the previous index', { error: (e as Error).message });
      return undefined;
    }
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // One rebuild at a time, in order.
      running = running.then(reload);
    }, debounceMs);
  };
  const open = () => {
    try {
      watcher = watch(dir, schedule);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        // e.g. the inotify watch limit: serve the loaded content, just without live reload.
        log.warn('faq content not watched; edits need a restart', { dir, error: String(e) });
        return;
      }
      // No faq folder yet: wait for it to be created.
      try {
        watcher = watch(flowsDir, (_ev, name) => {
          if (name !== 'faq') return;
          watcher?.close();
          open();
          schedule();
        });
      } catch (e2) {
        log.warn('faq content folder not watched (missing)', { dir: flowsDir, error: String(e2) });
        return;
      }
    }
    watcher.on('error', (e) => log.warn('faq watcher error', { error: String(e) }));
  };
  open();

  return {
    reload: () => {
      const p = running.then(reload);
      running = p;
      return p;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
