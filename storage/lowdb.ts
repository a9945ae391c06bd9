import { mkdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import {
  BotError,
  type Clock,
  ErrorCode,
  type Logger,
  StoreCorruptError,
  type StoreOp,
  silentLogger,
  systemClock,
} from '../src/index.ts';
import { writeFileAtomicChunks } from './fs-durable.ts';
import { docOf, encodeBatch, type JournalOp, readJournals, sealedBelow } from './journal-format.ts';
import { JournalWriter, type RotationStep } from './journal-writer.ts';
import { acquireLock, type StoreLock } from './lock.ts';
import { MemoryStore } from './memory.ts';
import {
  captureSnapshot,
  emptySnapshot,
  readSnapshot,
  type SnapshotCapture,
  type SnapshotFile,
  snapshotChunks,
} from './snapshot.ts';

/** Steps of a compaction, reported to {@link LowdbStoreOptions.onCompactionStep}. */
export type CompactionStep = RotationStep | 'rotated' | 'snapshot-written' | 'done';

export interface LowdbStoreOptions {
  /** Directory holding `db.json`, `db.journal.jsonl` and `db.lock`; created when missing. */
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** How long to wait for another live process to release `db.lock`, ms (default 0: refuse at once). */
  lockWaitMs?: number;
  /** Compact once the journal exceeds max(this, size of `db.json`), in bytes. Default 8 MiB. */
  compactMinBytes?: number;
  /**
   * Test hook, called at each compaction step. Crash tests copy the data directory here: the
   * copy is what a crash at that instant would leave on disk. A returned promise is awaited
   * (except at `sealed`, which runs inside the journal writer and must not wait for writes).
   */
  onCompactionStep?: (step: CompactionStep) => void | Promise<void>;
  /**
   * UTF-16 code units of `db.json` serialized per chunk before the event loop gets a turn
   * (the chunk is written, and awaited, before the next is built). Default 64 Ki, about 1 ms
   * of serializing; each chunk is also cut after 4 ms. Tests lower it to get many chunks.
   */
  snapshotChunkChars?: number;
}

/** Sizes and generation of the files, for the bench and health output. */
export interface LowdbStats {
  snapshotBytes: number;
  journalBytes: number;
  journalGen: number;
  compactions: number;
  /** The compaction in progress, if any: documents captured, and serialized so far. */
  compaction?: { docs: number; serialized: number };
}

const DEFAULT_COMPACT_MIN_BYTES = 8 * 1024 * 1024;
/**
 * `fdatasync` the snapshot temp file every 8 MiB while streaming it: one final fsync of
 * 120 MB held every journal fdatasync (so every turn) for ~60–250 ms on the bench machine.
 */
const SNAPSHOT_SYNC_BYTES = 8 * 1024 * 1024;

/**
 * lowdb's `JSONFile` without its 2-space indentation (a 100k-response store is ~120 MB instead
 * of ~220 MB, which halves start-up time and keeps far below V8's ~512 MB string limit;
 * `JSON.parse` reads either). The store reads `db.json` through it; the bench pre-fills with it.
 *
 * The store does NOT write through it. lowdb's writer (steno) takes the whole file as one
 * string, so `JSON.stringify` of a 100k-response store would block the event loop for
 * seconds (measured 3–6 s on 2 cores: longer than Slack's 3 s and WeCom's 5 s webhook
 * deadlines), and it renames the temp file without fsyncing it first. Compaction instead
 * streams the snapshot in small chunks through `writeFileAtomicChunks`: the same temp file
 * (`.db.json.tmp`) + rename, plus an fsync before the rename.
 */
export const snapshotFile = (path: string): DataFile<SnapshotFile> =>
  new DataFile<SnapshotFile>(path, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) });

/**
 * The durable default store: the memory state machine, a lowdb snapshot `db.json` and an
 * append-only journal `db.journal.jsonl` (format in `journal-format.ts`).
 *
 * - A `batch` (and so every `put`/`delete`/`claim`) becomes ONE journal line, appended with
 *   group commit; its promise resolves once the line is fsynced. Cost per write is O(size of
 *   the write), not O(size of the store).
 * - Compaction rewrites `db.json` and rotates the journal, when the journal outgrows
 *   max(`compactMinBytes`, `db.json`) (amortized O(1) per write), and on close. Expired
 *   documents are dropped then. Writes keep flowing during a compaction, and so does the event
 *   loop: the snapshot is captured in one tick, then serialized in ~1 ms chunks, each written
 *   to disk (awaited) before the next is built — no stall beyond a few tens of ms at 100k.
 * - Memory holds exactly what disk holds: values are stored as their JSON round trip.
 * - After a journal I/O error the store refuses writes and `ping` rejects (BotError
 *   `store_io`); restart to recover from disk. Writes in the failed group may or may not be on disk.
 */
export class LowdbStore extends MemoryStore {
  private journal!: JournalWriter; // set by load()
  private snapshotBytes = 0;
  private compactions = 0;
  private compacting: Promise<void> | undefined;
  private writing: SnapshotCapture | undefined;
  private shut = false;
  private closing: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly snapshotPath: string;

  private constructor(
    private readonly dir: string,
    private readonly lock: StoreLock,
    private readonly low: Low<SnapshotFile>,
    private readonly opts: LowdbStoreOptions,
  ) {
    super(opts.clock ?? systemClock);
    this.log = opts.log ?? silentLogger;
    this.snapshotPath = join(dir, 'db.json');
  }

  /**
   * Opens (creating when absent) the store in `opts.dataDir`: takes `db.lock`, loads `db.json`,
   * replays the journals, and starts a fresh journal.
   * @throws {BotError} code `store_io` when another live process holds `db.lock`.
   * @throws {StoreCorruptError} code `store_corrupt` naming the file when `db.json` or a journal
   *   is unreadable or corrupt (a torn last journal line is not corruption). Files are left untouched.
   */
  static async open(opts: LowdbStoreOptions): Promise<LowdbStore> {
    const dir = resolve(opts.dataDir);
    await mkdir(dir, { recursive: true });
    const lock = await acquireLock(join(dir, 'db.lock'), opts.log, { waitMs: opts.lockWaitMs });
    const store = new LowdbStore(
      dir,
      lock,
      new Low(snapshotFile(join(dir, 'db.json')), emptySnapshot()),
      opts,
    );
    try {
      await store.load();
    } catch (e) {
      await store.journal?.close();
      await lock.release();
      throw e;
    }
    return store;
  }

  private async load(): Promise<void> {
    const snap = await readSnapshot(this.low, this.snapshotPath);
    const journals = await readJournals(this.dir);
    if (!snap && journals.length > 0) {
      throw new StoreCorruptError(this.snapshotPath, `missing while journal ${journals[0].path} exists`);
    }
    for (const [name, docs] of Object.entries(snap?.collections ?? {})) {
      for (const [key, doc] of Object.entries(docs)) this.state.applyDoc(name, key, doc);
    }
    const base = snap?.journalGen ?? 0;
    let replayed = 0;
    for (const j of journals) {
      if (j.gen < base) continue;
      for (const batch of j.batches) this.replay(batch);
      replayed += j.batches.length;
      if (j.tornBytes > 0) this.log.warn('ignored torn journal tail', { file: j.path, bytes: j.tornBytes });
    }
    this.state.sweep();
    let gen = base;
    if (!snap || replayed > 0) {
      // Fold the replayed journals into a new snapshot, so the fresh journal starts empty.
      gen = Math.max(base, ...journals.map((j) => j.gen)) + 1;
      await this.writeSnapshot(captureSnapshot(this.state, gen, this.clock.now()));
    } else {
      this.snapshotBytes = (await stat(this.snapshotPath)).size;
    }
    this.journal = await JournalWriter.create(
      this.dir,
      gen,
      () => this.maybeCompact(),
      (s) => void this.step(s),
    );
    await this.dropSealed(Number.POSITIVE_INFINITY);
    this.log.info('store opened', { dir: this.dir, replayed, journalGen: gen, bytes: this.snapshotBytes });
  }

  private replay(batch: JournalOp[]): void {
    for (const op of batch) this.state.applyDoc(op.collection, op.key, op.op === 'put' ? docOf(op) : null);
  }

  private readonly step = async (s: CompactionStep): Promise<void> => this.opts.onCompactionStep?.(s);

  protected override check(): void {
    if (this.shut) throw new BotError(ErrorCode.StoreIo, `store ${this.dir} is closed`);
    super.check();
  }

  override async batch(ops: StoreOp[]): Promise<void> {
    this.check();
    if (this.journal.failure) throw this.journal.failure;
    if (ops.length === 0) return;
    const fallbackNow = this.clock.now();
    const line = encodeBatch(
      ops.map((op): JournalOp => {
        if (op.op === 'delete') return { op: 'delete', collection: op.collection, key: op.key };
        const expiresAt = op.ttlMs === undefined ? undefined : (op.now ?? fallbackNow) + op.ttlMs;
        return { op: 'put', collection: op.collection, key: op.key, value: op.value, expiresAt };
      }),
    );
    // Apply the JSON round trip, so memory holds exactly what a reload would (and owns its copy).
    this.replay((JSON.parse(line) as { ops: JournalOp[] }).ops);
    await this.journal.append(line);
  }

  override async flush(): Promise<void> {
    await this.journal.flush();
  }

  override async ping(): Promise<void> {
    this.check();
    if (this.journal.failure) throw this.journal.failure;
  }

  /** Current file sizes and journal generation. */
  stats(): LowdbStats {
    return {
      snapshotBytes: this.snapshotBytes,
      journalBytes: this.journal.bytes,
      journalGen: this.journal.gen,
      compactions: this.compactions,
      ...(this.writing
        ? { compaction: { docs: this.writing.docs, serialized: this.writing.serialized } }
        : {}),
    };
  }

  private maybeCompact(): void {
    if (this.compacting || this.shut) return;
    if (
      this.journal.bytes <=
      Math.max(this.opts.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES, this.snapshotBytes)
    ) {
      return;
    }
    this.compact().catch((e) =>
      this.log.error('store compaction failed', { dir: this.dir, error: String(e) }),
    );
  }

  /**
   * Rewrites `db.json` from memory (captured in one tick, then streamed in chunks), seals and
   * then deletes the journal it replaces, and drops expired documents. Only one runs at a
   * time; writes and the event loop continue meanwhile.
   * @throws {BotError} code `store_io` when the journal cannot be rotated (the store is then failed);
   *   an fs error when `db.json` cannot be written (the journals are kept, nothing is lost).
   */
  compact(): Promise<void> {
    this.compacting ??= this.runCompaction().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  private async runCompaction(): Promise<void> {
    const started = performance.now();
    const gen = this.journal.gen + 1;
    const swept = this.state.sweep();
    // Same tick: the snapshot holds exactly the lines appended before the rotation barrier.
    // Writes after it change the Maps but not the capture (see SnapshotCapture).
    const rotated = this.journal.rotate(gen);
    const capture = captureSnapshot(this.state, gen, this.clock.now());
    this.writing = capture;
    try {
      // Stream only once the fresh journal is in place: its fsyncs would otherwise queue
      // behind the snapshot's writes, and every turn issued meanwhile waits (measured 40 ms).
      await rotated;
      await this.step('rotated');
      await this.writeSnapshot(capture);
    } finally {
      this.writing = undefined; // let deleted documents be collected
    }
    await this.step('snapshot-written');
    await this.dropSealed(gen);
    this.compactions++;
    await this.step('done');
    const ms = Math.round(performance.now() - started);
    this.log.info('store compacted', {
      dir: this.dir,
      journalGen: gen,
      swept,
      bytes: this.snapshotBytes,
      ms,
    });
  }

  /**
   * Writes `db.json` from a capture: serialized chunk by chunk into `.db.json.tmp`, fsynced,
   * renamed over `db.json`, directory fsynced; resolves once all of that is durable.
   * @throws the fs error; `db.json` is then untouched.
   */
  private async writeSnapshot(capture: SnapshotCapture): Promise<void> {
    this.snapshotBytes = await writeFileAtomicChunks(
      this.snapshotPath,
      snapshotChunks(capture, { chars: this.opts.snapshotChunkChars }),
      { syncEveryBytes: SNAPSHOT_SYNC_BYTES },
    );
  }

  private async dropSealed(belowGen: number): Promise<void> {
    for (const name of await sealedBelow(this.dir, belowGen)) await unlink(join(this.dir, name));
  }

  /** Flushes, compacts, closes the journal and releases `db.lock`. Later calls reject; closing twice is a no-op. */
  override close(): Promise<void> {
    this.closing ??= (async () => {
      this.shut = true;
      try {
        await this.journal.flush().catch(() => {});
        await this.compacting?.catch(() => {});
        if (!this.journal.failure) await this.compact();
      } finally {
        await this.journal.close();
        await this.lock.release();
      }
    })();
    return this.closing;
  }
}
