import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError, type StoredDoc } from '../src/index.ts';

/**
 * On-disk format of the append-only journal next to `db.json`.
 *
 * - The active journal is `db.journal.jsonl`; a journal sealed by a compaction in progress is
 *   `db.journal.<gen>.jsonl`.
 * - Line 1 is a header `{"format":"rollout-bot/journal","version":1,"gen":<n>}`.
 * - Every further line is one committed batch: `{"ops":[JournalOp, …]}` + `\n`. Expiry is
 *   absolute (`expiresAt`, ms since epoch UTC), so replay does not depend on when it runs.
 * - The snapshot records `journalGen` G: it already contains every journal with gen < G, and
 *   load replays exactly the journals with gen ≥ G, in gen order — nothing is lost or replayed twice.
 * - A line counts once its newline is on disk. The last line of a file may be torn by a crash
 *   (that batch was never acknowledged) and is ignored; a bad line anywhere else is corruption.
 */
export const JOURNAL_FORMAT = 'rollout-bot/journal';
export const ACTIVE_JOURNAL = 'db.journal.jsonl';

/** One write as journalled. */
export type JournalOp =
  | { op: 'put'; collection: string; key: string; value: unknown; expiresAt?: number }
  | { op: 'delete'; collection: string; key: string };

/** File name of the journal sealed at generation `gen`. */
export const sealedJournal = (gen: number): string => `db.journal.${gen}.jsonl`;

const SEALED_RE = /^db\.journal\.(\d+)\.jsonl$/;

/** The header line (with newline) of a journal of generation `gen`. */
export function journalHeader(gen: number): string {
  return `${JSON.stringify({ format: JOURNAL_FORMAT, version: 1, gen })}\n`;
}

/** Encodes one batch as one journal line (with newline). Throws on values JSON cannot hold (cycles, BigInt). */
export function encodeBatch(ops: JournalOp[]): string {
  return `${JSON.stringify({ ops })}\n`;
}

/** A journal file as read at start-up. */
export interface JournalFile {
  path: string;
  gen: number;
  /** Whether this is the active `db.journal.jsonl` (else sealed). */
  active: boolean;
  batches: JournalOp[][];
  /** Bytes of an ignored torn last line (0 when the file ends cleanly). */
  tornBytes: number;
  bytes: number;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseOps(line: string): JournalOp[] | undefined {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(rec) || !Array.isArray(rec.ops)) return undefined;
  for (const op of rec.ops) {
    if (!isObj(op) || typeof op.collection !== 'string' || typeof op.key !== 'string') return undefined;
    if (op.op === 'put') {
      if (op.expiresAt !== undefined && typeof op.expiresAt !== 'number') return undefined;
    } else if (op.op !== 'delete') return undefined;
  }
  return rec.ops as JournalOp[];
}

/**
 * Parses one journal file.
 * @throws {StoreCorruptError} code `store_corrupt` naming the file when the header is bad or a
 *   line other than the last one is not a valid batch.
 */
export function parseJournal(path: string, text: string, active: boolean): JournalFile {
  const lines = text.split('\n');
  // After the final '\n' comes '' for a clean file, or the torn remainder of an unfinished write.
  const tail = lines.pop() ?? '';
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    header = undefined;
  }
  if (!isObj(header) || header.format !== JOURNAL_FORMAT || !Number.isSafeInteger(header.gen)) {
    throw new StoreCorruptError(path, 'bad journal header');
  }
  const batches: JournalOp[][] = [];
  let tornBytes = Buffer.byteLength(tail);
  for (let i = 1; i < lines.length; i++) {
    const ops = parseOps(lines[i]);
    if (ops) {
      batches.push(ops);
      continue;
    }
    if (i === lines.length - 1 && tail === '') {
      tornBytes = Buffer.byteLength(lines[i]) + 1;
      break;
    }
    throw new StoreCorruptError(path, `journal line ${i + 1} is not a valid batch`);
  }
  return { path, gen: header.gen as number, active, batches, tornBytes, bytes: Buffer.byteLength(text) };
}

/**
 * Reads every journal in `dir`, sorted by generation (sealed before active on a tie, which
 * cannot happen in practice).
 * @throws {StoreCorruptError} when a journal is unreadable or corrupt (see {@link parseJournal}).
 */
export async function readJournals(dir: string): Promise<JournalFile[]> {
  const names = (await readdir(dir)).filter((n) => n === ACTIVE_JOURNAL || SEALED_RE.test(n));
  const files: JournalFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new StoreCorruptError(path, `cannot read: ${(e as Error).message}`, { cause: e });
    }
    files.push(parseJournal(path, text, name === ACTIVE_JOURNAL));
  }
  return files.sort((a, b) => a.gen - b.gen || Number(a.active) - Number(b.active));
}

/** Names of sealed journals in `dir` with generation below `gen` (safe to delete once a snapshot of `gen` is durable). */
export async function sealedBelow(dir: string, gen: number): Promise<string[]> {
  return (await readdir(dir)).filter((n) => {
    const m = SEALED_RE.exec(n);
    return m !== null && Number(m[1]) < gen;
  });
}

/** Converts a journalled put into the stored document. */
export const docOf = (op: Extract<JournalOp, { op: 'put' }>): StoredDoc =>
  op.expiresAt === undefined ? { value: op.value } : { value: op.value, expiresAt: op.expiresAt };
