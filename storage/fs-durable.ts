import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsyncs a file's data and metadata, so a rename or write before it survives power loss. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * fsyncs a directory so entries created, renamed or removed in it are durable. Some platforms
 * (Windows) cannot open a directory; there the call is a no-op.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    // EISDIR/EINVAL on platforms without directory fsync: nothing more we can do.
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `path` atomically: a temp file beside it (`.<name>.tmp`) is written,
 * fsynced and renamed over `path`, then the directory is fsynced. A crash leaves either the
 * old file or the new one, never a mix.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await writeFileAtomicChunks(path, [data]);
}

/**
 * {@link writeFileAtomic} for content produced piecewise: pulls one chunk from `chunks`,
 * writes it (awaited), then pulls the next — so a lazy generator builds each chunk only
 * when the previous one is handed to the disk, and the event loop runs in between. Then the
 * temp file is fsynced, closed and renamed over `path`, and the directory is fsynced; a
 * crash at any point leaves either the old `path` or the complete new one (a partial temp
 * file is overwritten by the next write). The same temp name as lowdb's steno writer
 * (`.<name>.tmp`), so the two never leave two kinds of debris.
 * @param chunks strings, encoded as UTF-8.
 * @param opts.syncEveryBytes also `fdatasync` the temp file each time this many bytes were
 *   written since the last sync (default: only at the end). Bounds the dirty data the final
 *   fsync flushes at once — while it runs, other files' fsyncs (the journal's) wait for it.
 * @returns bytes written.
 * @throws the fs error, or whatever pulling a chunk throws; the temp file is then removed
 *   (best effort) and `path` is untouched.
 */
export async function writeFileAtomicChunks(
  path: string,
  chunks: Iterable<string>,
  opts: { syncEveryBytes?: number } = {},
): Promise<number> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const every = opts.syncEveryBytes ?? Number.POSITIVE_INFINITY;
  const fh = await open(tmp, 'w');
  let bytes = 0;
  let unsynced = 0;
  // One buffer, reused: each chunk is written before the next is pulled. Allocating a fresh
  // Buffer per chunk (~100+ MB in all) would drive V8's external-memory GC triggers.
  let scratch = Buffer.allocUnsafe(0);
  try {
    for (const chunk of chunks) {
      if (scratch.length < chunk.length * 3) scratch = Buffer.allocUnsafe(chunk.length * 3); // UTF-8 ≤ 3 bytes per code unit
      const n = scratch.write(chunk);
      for (let off = 0; off < n; ) off += (await fh.write(scratch, off, n - off)).bytesWritten;
      bytes += n;
      unsynced += n;
      if (unsynced >= every) {
        await fh.datasync();
        unsynced = 0;
      }
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dirname(path));
  return bytes;
}
