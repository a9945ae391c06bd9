import { type FileHandle, open, rename } from 'node:fs/promises';
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
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
