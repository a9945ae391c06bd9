import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BotError, ManualClock, silentLogger } from '../src/index.ts';
import { encodeBatch, journalHeader } from '../storage/journal-format.ts';
import { type CompactionStep, LowdbStore, type LowdbStoreOptions } from '../storage/lowdb.ts';
import { crashImage, tempDir } from './store-lowdb-fixture.ts';

const T0 = Date.UTC(2025, 0, 6, 1, 0, 0);
const dirs: string[] = [];
const stores: LowdbStore[] = [];
const newDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
const open = async (dataDir: string, opts: Partial<LowdbStoreOptions> = {}) => {
  const s = await LowdbStore.open({ clock: new ManualClock(T0), ...opts, dataDir });
  stores.push(s);
  return s;
};
const journals = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('db.journal.'));

/** The FileHandle prototype, to count fdatasync calls. */
async function fileHandleProto(dir: string): Promise<{ datasync(): Promise<void> }> {
  const fh = await openFile(join(dir, 'db.json'), 'r');
  await fh.close();
  return Object.getPrototypeOf(fh);
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lowdb journal and compaction', () => {
  it('compacts once the journal outgrows max(compactMinBytes, db.json), keeps writing, loses nothing', async () => {
    const dir = newDir();
    const store = await open(dir, { compactMinBytes: 4096 });
    const value = { text: 'x'.repeat(200) };
    for (let i = 0; i < 60; i++) await store.put('c', `k${String(i).padStart(3, '0')}`, { ...value, i });
    await store.flush();
    const s = store.stats();
    expect(s.compactions).toBeGreaterThan(0);
    expect(s.journalGen).toBeGreaterThan(1);
    expect(s.journalBytes).toBeLessThanOrEqual(Math.max(4096, s.snapshotBytes) + 400);
    await store.close();
    expect(journals(dir)).toEqual(['db.journal.jsonl']);
    const reopened = await open(dir);
    expect(await reopened.list('c')).toHaveLength(60);
    expect(await reopened.get('c', 'k059')).toEqual({ ...value, i: 59 });
  });

  it('close compacts into db.json, dropping expired documents; the journal is left empty', async () => {
    const dir = newDir();
    const clock = new ManualClock(T0);
    const store = await open(dir, { clock });
    await store.put('dedupe', 'old', 1, { ttlMs: 1000 });
    await store.put('dedupe', 'new', 2, { ttlMs: 10_000 });
    clock.advance(5000);
    await store.close();
    const snap = JSON.parse(readFileSync(join(dir, 'db.json'), 'utf8'));
    expect(snap.collections.dedupe).toEqual({ new: { value: 2, expiresAt: T0 + 10_000 } });
    expect(readFileSync(join(dir, 'db.journal.jsonl'), 'utf8').split('\n')).toHaveLength(2); // header + ''
  });

  it('group commit: writes issued together share one fdatasync', async () => {
    const dir = newDir();
    const store = await open(dir);
    const spy = vi.spyOn(await fileHandleProto(dir), 'datasync');
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.put('c', `k${i}`, i)));
    expect(spy).toHaveBeenCalledTimes(1);
    await store.put('c', 'a', 1);
    await store.put('c', 'b', 1);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(readFileSync(join(dir, 'db.journal.jsonl'), 'utf8').split('\n')).toHaveLength(54);
  });

  it('a crash at any step of a compaction loses no acknowledged write and replays nothing out of order', async () => {
    const dir = newDir();
    const images: Array<{ step: CompactionStep; dir: string; acked: Set<string> }> = [];
    const acked = new Set<string>();
    let duringDone: Promise<unknown> = Promise.resolve();
    const store = await open(dir, {
      compactMinBytes: 1 << 30,
      onCompactionStep: async (step) => {
        images.push({ step, dir: newImage(dir), acked: new Set(acked) });
        // Also image the state where the new db.json is on disk, the old journal still is,
        // and writes of the next generation are acknowledged.
        if (step === 'snapshot-written') {
          await duringDone;
          images.push({ step, dir: newImage(dir), acked: new Set(acked) });
        }
      },
    });
    const newImage = (from: string) => {
      const d = newDir();
      crashImage(from, d);
      return d;
    };
    const write = (k: string) => store.put('c', k, k).then(() => acked.add(k));
    for (let i = 0; i < 10; i++) await write(`before${i}`);
    await store.put('c', 'victim', 'alive');
    const compaction = store.compact();
    // Issued after the rotation barrier: these land in the next journal generation.
    const during = [
      store.delete('c', 'victim').then(() => acked.add('victim-deleted')),
      ...Array.from({ length: 10 }, (_, i) => write(`during${i}`)),
    ];
    duringDone = Promise.all(during);
    await Promise.all([compaction, ...during]);
    expect(images.map((i) => i.step)).toEqual([
      'sealed',
      'rotated',
      'snapshot-written',
      'snapshot-written',
      'done',
    ]);
    // The interesting image: new db.json, the old journal still there, the delete acknowledged.
    expect(journals(images[3].dir).sort()).toEqual(['db.journal.1.jsonl', 'db.journal.jsonl']);
    expect(images[3].acked.has('victim-deleted')).toBe(true);
    for (const image of images) {
      const active = join(image.dir, 'db.journal.jsonl');
      const journalLines = existsSync(active) ? readFileSync(active, 'utf8').split('\n').length - 2 : 0;
      const info = vi.fn();
      const reopened = await open(image.dir, { log: { ...silentLogger, info } });
      if (image.step === 'snapshot-written') {
        // db.json already holds generation 1: only the active journal (generation 2) is replayed.
        expect(info).toHaveBeenCalledWith(
          'store opened',
          expect.objectContaining({ replayed: journalLines }),
        );
      }
      const keys = new Set((await reopened.list('c')).map((e) => e.key));
      for (const k of image.acked)
        if (k !== 'victim-deleted') expect(keys, `${image.step}: ${k}`).toContain(k);
      if (image.acked.has('victim-deleted')) expect(keys.has('victim'), image.step).toBe(false);
      for (let i = 0; i < 10; i++) expect(keys.has(`before${i}`)).toBe(true);
      await reopened.close();
      expect(journals(image.dir)).toEqual(['db.journal.jsonl']);
    }
  });

  it('replays journals in generation order: sealed before active', async () => {
    const dir = newDir();
    let sealedImage = '';
    const store = await open(dir, {
      onCompactionStep: (step) => {
        if (step === 'sealed') sealedImage = crashImage(dir, newDir());
      },
    });
    await store.put('c', 'victim', 'alive');
    await store.compact();
    // Crash right after sealing; then suppose the next generation had already deleted the key.
    const del = encodeBatch([{ op: 'delete', collection: 'c', key: 'victim' }]);
    writeFileSync(join(sealedImage, 'db.journal.jsonl'), journalHeader(2) + del);
    const reopened = await open(sealedImage);
    expect(await reopened.get('c', 'victim')).toBeUndefined();
  });

  it('a failed db.json write keeps the journals; the next compaction succeeds', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.put('c', 'a', 1);
    mkdirSync(join(dir, '.db.json.tmp')); // lowdb's temp file cannot be written
    await expect(store.compact()).rejects.toThrow();
    await store.put('c', 'b', 2);
    const image = newDir();
    crashImage(dir, image);
    rmSync(join(image, '.db.json.tmp'), { recursive: true }); // the test's obstacle, not crash debris
    const fromImage = await open(image);
    expect((await fromImage.list('c')).map((e) => e.key)).toEqual(['a', 'b']);
    rmSync(join(dir, '.db.json.tmp'), { recursive: true });
    await store.compact();
    expect(journals(dir)).toEqual(['db.journal.jsonl']);
    await store.close();
    const reopened = await open(dir);
    expect((await reopened.list('c')).map((e) => e.key)).toEqual(['a', 'b']);
  });

  it('a journal I/O error fails the store: that write, later writes and ping reject with store_io', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.put('c', 'ok', 1);
    vi.spyOn(await fileHandleProto(dir), 'datasync').mockRejectedValueOnce(new Error('EIO: i/o error'));
    const err = await store.put('c', 'lost', 1).then(
      () => undefined,
      (e: BotError) => e,
    );
    expect(err?.code).toBe('store_io');
    await expect(store.put('c', 'later', 1)).rejects.toMatchObject({ code: 'store_io' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_io' });
    await store.close();
    const reopened = await open(dir);
    expect(await reopened.get('c', 'ok')).toBe(1);
    expect(await reopened.get('c', 'later')).toBeUndefined();
  });

  it('db.json does not change on writes between compactions (writes cost O(write), not O(store))', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.batch(
      Array.from({ length: 500 }, (_, i) => ({
        op: 'put' as const,
        collection: 'r',
        key: `k${i}`,
        value: i,
      })),
    );
    await store.compact();
    const snap = statSync(join(dir, 'db.json'));
    const journalBefore = store.stats().journalBytes;
    await store.put('sessions', 'u1', { step: 3 });
    expect(statSync(join(dir, 'db.json')).mtimeMs).toBe(snap.mtimeMs);
    const line = `${JSON.stringify({ ops: [{ op: 'put', collection: 'sessions', key: 'u1', value: { step: 3 } }] })}\n`;
    expect(store.stats().journalBytes - journalBefore).toBe(Buffer.byteLength(line));
  });
});
