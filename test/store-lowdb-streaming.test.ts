import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, type StoreOp } from '../src/index.ts';
import { writeFileAtomicChunks } from '../storage/fs-durable.ts';
import { LowdbStore, type LowdbStoreOptions } from '../storage/lowdb.ts';
import { MemoryState } from '../storage/memory.ts';
import { captureSnapshot, snapshotChunks } from '../storage/snapshot.ts';
import { JsonMembers, jsonChunks } from '../storage/stream-json.ts';
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
const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const key = (i: number) => `k${String(i).padStart(5, '0')}`;
const fill = (n: number, collection = 'c'): StoreOp[] =>
  Array.from({ length: n }, (_, i) => ({ op: 'put', collection, key: key(i), value: { n: i } }));
const readDb = (dir: string) => JSON.parse(readFileSync(join(dir, 'db.json'), 'utf8'));

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('jsonChunks', () => {
  const tricky: Array<[string, unknown]> = [
    ['plain', { a: [1, 2.5, -0, null, true], s: 'x' }],
    ['quote "and" \\ backslash\n', '换行\n\t"引号"'],
    ['emoji 🎉', { lone: '\ud800', ctl: '\u0001', sep: '\u2028' }],
    ['__proto__', { polluted: false }],
    ['skipped', undefined],
    ['date', new Date(T0)],
    ['empty', {}],
  ];

  it('joined, the chunks are exactly JSON.stringify of the same members, nested streams included', () => {
    const expected = JSON.stringify({
      head: 1,
      body: Object.fromEntries(tricky),
      none: {},
      tail: ['end'],
    });
    const streamed = new JsonMembers([
      ['head', 1],
      ['body', new JsonMembers(tricky)],
      ['none', new JsonMembers([])],
      ['tail', ['end']],
    ]);
    expect([...jsonChunks(streamed, { chars: 8 })].join('')).toBe(expected);
    expect([...jsonChunks(streamed)].join('')).toBe(expected); // re-iterable entries, one chunk
    expect([...jsonChunks([1, 'two'])]).toEqual(['[1,"two"]']);
  });

  it('builds one chunk per pull within the character budget, reading entries only as pulled', () => {
    let pulled = 0;
    function* members(): Generator<[string, unknown]> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield [key(i), { n: i }];
      }
    }
    const gen = jsonChunks(new JsonMembers(members()), { chars: 100 });
    const first = gen.next().value as string;
    expect(first.length).toBeGreaterThanOrEqual(100);
    expect(first.length).toBeLessThan(100 + 20); // one member past the budget at most
    expect(pulled).toBeLessThan(10);
    const rest = [...gen];
    expect(pulled).toBe(1000);
    expect(rest.length).toBeGreaterThan(100);
    expect(JSON.parse(first + rest.join(''))[key(999)]).toEqual({ n: 999 });
  });

  it('cuts a chunk once the time budget is spent (checked every 32 members)', () => {
    const entries = Array.from({ length: 320 }, (_, i): [string, unknown] => [key(i), i]);
    const chunks = [...jsonChunks(new JsonMembers(entries), { ms: 0 })];
    expect(chunks).toHaveLength(11); // ten of 32 members, then the closing brace
    expect(chunks.at(-1)).toBe('}');
  });

  it('throws TypeError for what JSON cannot hold', () => {
    expect(() => [...jsonChunks(undefined)]).toThrow(TypeError);
    expect(() => [...jsonChunks(new JsonMembers([['big', 1n]]))]).toThrow(TypeError);
  });
});

describe('snapshot streaming', () => {
  it('a capture is fixed: later puts and deletes do not change what is streamed', () => {
    const state = new MemoryState(new ManualClock(T0));
    for (const op of fill(3)) state.apply(op);
    state.apply({ op: 'put', collection: 'ttl', key: 'k', value: 1, ttlMs: 1000 });
    const capture = captureSnapshot(state, 7, T0);
    const chunks = snapshotChunks(capture, { chars: 16 });
    const first = chunks.next().value as string;
    state.apply({ op: 'put', collection: 'c', key: key(2), value: 'changed' });
    state.apply({ op: 'delete', collection: 'c', key: key(1) });
    state.apply({ op: 'put', collection: 'c', key: 'added', value: 1 });
    const text = first + [...chunks].join('');
    expect(JSON.parse(text)).toEqual({
      format: 'rollout-bot/store',
      version: 1,
      journalGen: 7,
      savedAt: new Date(T0).toISOString(),
      collections: {
        c: { [key(0)]: { value: { n: 0 } }, [key(1)]: { value: { n: 1 } }, [key(2)]: { value: { n: 2 } } },
        ttl: { k: { value: 1, expiresAt: T0 + 1000 } },
      },
    });
    expect([capture.docs, capture.serialized]).toEqual([4, 4]);
  });

  it('writeFileAtomicChunks: a failure mid-stream removes the temp file and leaves the target alone', async () => {
    const dir = newDir();
    const target = join(dir, 'db.json');
    writeFileSync(target, 'old');
    function* failing(): Generator<string> {
      yield 'new, part one';
      throw new TypeError('cannot serialize');
    }
    await expect(writeFileAtomicChunks(target, failing())).rejects.toThrow('cannot serialize');
    expect(readdirSync(dir)).toEqual(['db.json']);
    expect(readFileSync(target, 'utf8')).toBe('old');
  });

  it('writeFileAtomicChunks: fdatasyncs every syncEveryBytes, fsyncs before the rename', async () => {
    const dir = newDir();
    const probe = await openFile(join(dir, 'probe'), 'w');
    await probe.close();
    const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void>; sync(): Promise<void> };
    const datasync = vi.spyOn(proto, 'datasync');
    const sync = vi.spyOn(proto, 'sync');
    const bytes = await writeFileAtomicChunks(join(dir, 'out'), ['ab', 'cd', 'é', 'fg', 'h'], {
      syncEveryBytes: 4,
    });
    expect(bytes).toBe(9); // 'é' is 2 bytes in UTF-8
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('abcdéfgh');
    expect(datasync).toHaveBeenCalledTimes(2); // after 'cd' (4 bytes) and after 'fg' (4 more)
    expect(sync).toHaveBeenCalled();
  });
});

describe('lowdb compaction does not block the event loop', () => {
  it('with 20k documents, the loop turns mid-snapshot and a concurrent put is durable before compaction ends', async () => {
    const dir = newDir();
    const store = await open(dir, { snapshotChunkChars: 4096 });
    await store.batch(fill(20_000));
    let compacted = false;
    const compaction = store.compact().then(() => {
      compacted = true;
    });
    const put = store.put('c', 'during', 'x').then(() => compacted);
    // Turns of the event loop until the snapshot has started streaming: it must also be unfinished.
    let progress = store.stats().compaction;
    while (progress && progress.serialized === 0) {
      await nextTurn();
      progress = store.stats().compaction;
    }
    expect(progress?.docs).toBe(20_000);
    expect(progress?.serialized).toBeGreaterThan(0);
    expect(progress?.serialized).toBeLessThan(20_000);
    expect(await put).toBe(false); // durable while the compaction was still running
    await compaction;
    expect(store.stats().compaction).toBeUndefined();
    const db = readDb(dir);
    expect(Object.keys(db.collections.c)).toHaveLength(20_000); // the put came after the rotation barrier
    expect(statSync(join(dir, 'db.json')).size).toBe(store.stats().snapshotBytes);
    await store.close();
    const reopened = await open(dir);
    expect(await reopened.get('c', 'during')).toBe('x');
    expect(await reopened.get('c', key(19_999))).toEqual({ n: 19_999 });
  });

  it('writes during the stream land in the next journal, not in db.json; a reopen has both', async () => {
    const dir = newDir();
    const store = await open(dir, { snapshotChunkChars: 4096 });
    await store.batch(fill(5_000));
    const compaction = store.compact();
    while ((store.stats().compaction?.serialized ?? 0) === 0) await nextTurn();
    await store.batch([
      { op: 'put', collection: 'c', key: key(4_999), value: 'changed' },
      { op: 'delete', collection: 'c', key: key(0) },
      { op: 'put', collection: 'new', key: 'a', value: 1 },
    ]);
    await compaction;
    const db = readDb(dir);
    expect(db.collections.c[key(4_999)]).toEqual({ value: { n: 4_999 } });
    expect(db.collections.c[key(0)]).toEqual({ value: { n: 0 } });
    expect(db.collections.new).toBeUndefined();
    await store.close();
    const reopened = await open(dir);
    expect(await reopened.get('c', key(4_999))).toBe('changed');
    expect(await reopened.get('c', key(0))).toBeUndefined();
    expect(await reopened.get('new', 'a')).toBe(1);
  });

  it('a crash mid-stream (old db.json, partial .db.json.tmp) loses nothing; the next write of db.json replaces the temp file', async () => {
    const dir = newDir();
    const store = await open(dir, { snapshotChunkChars: 4096 });
    await store.batch(fill(5_000));
    const compaction = store.compact();
    let acked = false;
    void store.put('c', 'during', 1).then(() => {
      acked = true;
    });
    while ((store.stats().compaction?.serialized ?? 0) === 0) await nextTurn();
    expect(store.stats().compaction?.serialized).toBeLessThan(5_000);
    const image = crashImage(dir, newDir());
    const ackedAtCrash = acked;
    await compaction;
    expect(existsSync(join(image, '.db.json.tmp'))).toBe(true);
    expect(readDb(image).collections).toEqual({}); // the old db.json: written empty at open
    const reopened = await open(image); // folds the journals into a fresh db.json
    const keys = (await reopened.list('c')).map((e) => e.key);
    expect(keys.filter((k) => k !== 'during')).toHaveLength(5_000);
    if (ackedAtCrash) expect(keys).toContain('during'); // unacknowledged: may be there or not
    expect(readDb(image).collections.c[key(4_999)]).toEqual({ value: { n: 4_999 } });
    expect(readdirSync(image).filter((n) => n.includes('tmp'))).toEqual([]);
  });
});
