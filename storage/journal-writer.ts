import { type FileHandle, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { BotError, ErrorCode } from '../src/index.ts';
import { writeFileAtomic } from './fs-durable.ts';
import { ACTIVE_JOURNAL, journalHeader, sealedJournal } from './journal-format.ts';

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

type Task =
  | { kind: 'write'; lines: string[]; waiters: Waiter[] }
  | { kind: 'rotate'; gen: number; done: Waiter };

/** Points in a journal rotation, reported to the test hook (crash-image tests). */
export type RotationStep = 'sealed';

/**
 * Appends batch lines to the active journal with group commit: every line handed over while
 * a write is in flight (or in the same tick) goes out in ONE append + `fdatasync`, and each
 * caller's promise resolves once its group is on disk. Tasks run strictly in order, so a
 * rotation is a barrier: lines appended before it land in the old file, lines after it in
 * the new one.
 *
 * After an I/O error the writer is failed: that group and every later one reject with a
 * {@link BotError} code `store_io`, and so do further appends (the file on disk stays
 * consistent: a partial line is a torn tail that load ignores).
 */
export class JournalWriter {
  private tasks: Task[] = [];
  private draining = false;
  private last: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set once an append or rotation failed; the writer then refuses everything. */
  failure: BotError | undefined;

  private constructor(
    private readonly dir: string,
    private fh: FileHandle,
    /** Generation of the active journal. */
    public gen: number,
    /** Bytes in the active journal (header included). */
    public bytes: number,
    private readonly onDurable: () => void,
    private readonly onStep: (step: RotationStep) => void,
  ) {}

  /**
   * Replaces the active journal with an empty one of generation `gen` (atomically) and opens it.
   * @param onDurable called after each group is durable (the compaction trigger).
   * @throws the fs error when the directory is not writable.
   */
  static async create(
    dir: string,
    gen: number,
    onDurable: () => void = () => {},
    onStep: (step: RotationStep) => void = () => {},
  ): Promise<JournalWriter> {
    const { fh, bytes } = await freshActive(dir, gen);
    return new JournalWriter(dir, fh, gen, bytes, onDurable, onStep);
  }

  /** Appends one line (ending in `\n`); resolves once it is durable. */
  append(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new BotError(ErrorCode.StoreIo, 'journal is closed'));
    let t = this.tasks.at(-1);
    if (t?.kind !== 'write') {
      t = { kind: 'write', lines: [], waiters: [] };
      this.tasks.push(t);
    }
    const group = t;
    group.lines.push(line);
    const p = new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    this.last = p;
    this.kick();
    return p;
  }

  /**
   * Seals the active journal as `db.journal.<gen>.jsonl` and starts a fresh active journal
   * of generation `nextGen`. Lines appended before this call go to the sealed file.
   */
  rotate(nextGen: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<void>((resolve, reject) =>
      this.tasks.push({ kind: 'rotate', gen: nextGen, done: { resolve, reject } }),
    );
    this.kick();
    return p;
  }

  /** Resolves when every line appended so far is durable; rejects if its group failed. */
  flush(): Promise<void> {
    return this.last;
  }

  /** Flushes, then closes the file. Later appends reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.last.catch(() => {});
    await this.fh.close().catch(() => {});
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // A microtask, not a timer: lines issued in this tick join the first group, and fake
    // timers in tests cannot stall durability.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.tasks.length > 0) {
      const t = this.tasks.shift()!;
      if (this.failure) {
        settle(t, this.failure);
        continue;
      }
      try {
        if (t.kind === 'write') {
          const data = Buffer.from(t.lines.join(''));
          for (let off = 0; off < data.length; ) off += (await this.fh.write(data, off)).bytesWritten;
          await this.fh.datasync();
          this.bytes += data.length;
          for (const w of t.waiters) w.resolve();
          this.onDurable();
        } else {
          await this.fh.close();
          await rename(join(this.dir, ACTIVE_JOURNAL), join(this.dir, sealedJournal(this.gen)));
          this.onStep('sealed');
          const next = await freshActive(this.dir, t.gen);
          this.fh = next.fh;
          this.bytes = next.bytes;
          this.gen = t.gen;
          t.done.resolve();
        }
      } catch (e) {
        this.failure = new BotError(
          ErrorCode.StoreIo,
          `journal ${t.kind} failed in ${this.dir}: ${String(e)}`,
          {
            cause: e,
          },
        );
        settle(t, this.failure);
      }
    }
    this.draining = false;
  }
}

function settle(t: Task, error: BotError): void {
  if (t.kind === 'write') for (const w of t.waiters) w.reject(error);
  else t.done.reject(error);
}

async function freshActive(dir: string, gen: number): Promise<{ fh: FileHandle; bytes: number }> {
  const path = join(dir, ACTIVE_JOURNAL);
  const header = journalHeader(gen);
  await writeFileAtomic(path, header);
  return { fh: await open(path, 'a'), bytes: Buffer.byteLength(header) };
}
