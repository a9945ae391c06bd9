import type { Low } from 'lowdb';
import { StoreCorruptError, type StoredDoc } from '../src/index.ts';
import type { MemoryState } from './memory.ts';

export const SNAPSHOT_FORMAT = 'rollout-bot/store';

/**
 * `db.json`, written by lowdb (`JSONFile`: temp file + rename). Readable by people: collections
 * of documents keyed by string, each `{value, expiresAt?}` with `expiresAt` in ms since epoch (UTC).
 */
export interface SnapshotFile {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  /** Journals with a generation below this are contained here; load replays the rest. */
  journalGen: number;
  /** When it was written, ISO 8601 UTC. */
  savedAt: string;
  collections: Record<string, Record<string, StoredDoc>>;
}

/** An empty snapshot (lowdb's default data before `db.json` is read). */
export const emptySnapshot = (): SnapshotFile => ({
  format: SNAPSHOT_FORMAT,
  version: 1,
  journalGen: 0,
  savedAt: new Date(0).toISOString(),
  collections: {},
});

/**
 * Captures the current state as a snapshot. Documents are shared, not copied: backends never
 * mutate a stored document in place (a write replaces it), so the capture stays fixed.
 * @param now ms since epoch (UTC), recorded as `savedAt`.
 */
export function snapshotOf(state: MemoryState, journalGen: number, now: number): SnapshotFile {
  const collections: SnapshotFile['collections'] = {};
  for (const [name, docs] of state.collections) {
    if (docs.size > 0) collections[name] = Object.fromEntries(docs);
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: 1,
    journalGen,
    savedAt: new Date(now).toISOString(),
    collections,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the shape of a parsed `db.json`.
 * @throws {StoreCorruptError} code `store_corrupt` naming `file` when the shape is wrong.
 */
export function validateSnapshot(data: unknown, file: string): SnapshotFile {
  if (!isObj(data) || data.format !== SNAPSHOT_FORMAT)
    throw new StoreCorruptError(file, 'not a rollout-bot store');
  if (data.version !== 1) throw new StoreCorruptError(file, `unknown version ${String(data.version)}`);
  if (!Number.isSafeInteger(data.journalGen) || (data.journalGen as number) < 0) {
    throw new StoreCorruptError(file, 'bad journalGen');
  }
  if (!isObj(data.collections)) throw new StoreCorruptError(file, 'bad collections');
  for (const [name, docs] of Object.entries(data.collections)) {
    if (!isObj(docs)) throw new StoreCorruptError(file, `collection ${name} is not an object`);
    for (const [key, doc] of Object.entries(docs)) {
      if (!isObj(doc) || (doc.expiresAt !== undefined && typeof doc.expiresAt !== 'number')) {
        throw new StoreCorruptError(file, `document ${name}/${key} is malformed`);
      }
    }
  }
  return data as unknown as SnapshotFile;
}

/**
 * Reads `db.json` through lowdb. Resolves `undefined` when the file does not exist.
 * @throws {StoreCorruptError} code `store_corrupt` naming `file` when it cannot be read, is not
 *   JSON or has the wrong shape. The file is not touched.
 */
export async function readSnapshot(low: Low<SnapshotFile>, file: string): Promise<SnapshotFile | undefined> {
  let raw: SnapshotFile | null;
  try {
    raw = await low.adapter.read();
  } catch (e) {
    throw new StoreCorruptError(file, e instanceof SyntaxError ? `not JSON: ${e.message}` : String(e), {
      cause: e,
    });
  }
  if (raw === null) return undefined;
  return validateSnapshot(raw, file);
}
