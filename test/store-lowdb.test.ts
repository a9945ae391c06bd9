import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BotError, ManualClock, StoreCorruptError } from '../src/index.ts';
import { createStore } from '../storage/index.ts';
import { LowdbStore } from '../storage/lowdb.ts';
import { runStoreContract } from './store-contract.ts';
import { crashImage, lowdbFixture, tempDir } from './store-lowdb-fixture.ts';

runStoreContract('lowdb', async () => lowdbFixture());

const T0 = Date.UTC(2025, 0, 6, 1, 0, 0);
const dirs: string[] = [];
const stores: Array<{ close(): Promise<void> }> = [];
const newDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
const open = async (dataDir: string, clock = new ManualClock(T0)) => {
  const s = await LowdbStore.open({ dataDir, clock });
  stores.push(s);
  return s;
};
const journalLines = (dir: string) =>
  readFileSync(join(dir, 'db.journal.jsonl'), 'utf8').split('\n').slice(1, -1);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as BotError,
  );

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lowdb store files', () => {
  it('creates DATA_DIR with db.json and an empty journal; a write appends one line and leaves db.json alone', async () => {
    const dir = join(newDir(), 'nested', 'data');
    const store = await open(dir);
    const snap = JSON.parse(readFileSync(join(dir, 'db.json'), 'utf8'));
    expect(snap).toMatchObject({ format: 'rollout-bot/store', version: 1, journalGen: 1, collections: {} });
    const before = statSync(join(dir, 'db.json'));
    await store.put('c', 'a', { n: 1 }, { ttlMs: 60_000 });
    await store.batch([
      { op: 'put', collection: 'responses', key: 'r1', value: { q: 1 } },
      { op: 'put', collection: 'sessions', key: 'u1', value: { step: 2 } },
    ]);
    const lines = journalLines(dir).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ops: [{ op: 'put', collection: 'c', key: 'a', value: { n: 1 }, expiresAt: T0 + 60_000 }] },
      {
        ops: [
          { op: 'put', collection: 'responses', key: 'r1', value: { q: 1 } },
          { op: 'put', collection: 'sessions', key: 'u1', value: { step: 2 } },
        ],
      },
    ]);
    const after = statSync(join(dir, 'db.json'));
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
  });

  it('memory holds what disk holds: values are stored as their JSON round trip', async () => {
    const store = await open(newDir());
    await store.put('c', 'k', { at: new Date(T0), skip: undefined, n: 1 });
    expect(await store.get('c', 'k')).toEqual({ at: new Date(T0).toISOString(), n: 1 });
  });

  it('a second opener gets a BotError naming the lock file and the holder pid; close releases it', async () => {
    const dir = newDir();
    const first = await open(dir);
    expect(readFileSync(join(dir, 'db.lock'), 'utf8').trim()).toBe(String(process.pid));
    const err = await failure(open(dir));
    expect(err).toBeInstanceOf(BotError);
    expect(err?.code).toBe('store_io');
    expect(err?.message).toContain(join(dir, 'db.lock'));
    expect(err?.message).toContain(String(process.pid));
    await first.close();
    expect(existsSync(join(dir, 'db.lock'))).toBe(false);
    await (await open(dir)).close();
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = newDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, 'db.lock'), `${dead}\n`);
    const store = await open(dir);
    expect(readFileSync(join(dir, 'db.lock'), 'utf8').trim()).toBe(String(process.pid));
    await store.close();
  });

  it('with lockWaitMs, waits for a live holder to stop instead of refusing; without, refuses at once', async () => {
    const dir = newDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, 'db.lock'), `${holder.pid}\n`);
      const refused = await failure(LowdbStore.open({ dataDir: dir, clock: new ManualClock(T0) }));
      expect(refused?.message).toContain(String(holder.pid));
      setTimeout(() => {
        holder.kill('SIGKILL');
      }, 300);
      const t0 = Date.now();
      const store = await LowdbStore.open({ dataDir: dir, clock: new ManualClock(T0), lockWaitMs: 10_000 });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(readFileSync(join(dir, 'db.lock'), 'utf8').trim()).toBe(String(process.pid));
      await store.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('with lockWaitMs, still refuses a holder that does not stop in time', async () => {
    const dir = newDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, 'db.lock'), `${holder.pid}\n`);
      const err = await failure(
        LowdbStore.open({ dataDir: dir, clock: new ManualClock(T0), lockWaitMs: 300 }),
      );
      expect(err?.code).toBe('store_io');
      expect(readFileSync(join(dir, 'db.lock'), 'utf8').trim()).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a complete but unparsable last journal line is a torn write: ignored, and the store stays writable', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.put('c', 'a', 1);
    const image = crashImage(dir, newDir());
    dirs.push(image);
    appendFileSync(join(image, 'db.journal.jsonl'), '{"ops":[{"op":"put","coll\u0000\n');
    const reopened = await open(image);
    expect((await reopened.list('c')).map((e) => e.key)).toEqual(['a']);
    await reopened.put('c', 'b', 2);
    await reopened.close();
    expect((await (await open(image)).list('c')).map((e) => e.key)).toEqual(['a', 'b']);
  });

  it('a corrupt journal line before the last one stops the open; the journal is kept byte for byte', async () => {
    const dir = newDir();
    const image = newDir();
    const store = await open(dir);
    await store.put('c', 'a', 1);
    await store.put('c', 'b', 2);
    // Crash image: journal with two lines; then damage the first of them.
    crashImage(dir, image);
    const file = join(image, 'db.journal.jsonl');
    const [header, l1, l2] = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, `${header}\n${l1.slice(0, 10)}#\n${l2}\n`);
    const bytes = readFileSync(file);
    const err = await failure(open(image));
    expect(err).toBeInstanceOf(StoreCorruptError);
    expect(err?.message).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(join(image, 'db.lock'))).toBe(false); // lock released after the failed open
  });

  it('db.json that is valid JSON of the wrong shape, unreadable, or missing beside a journal is corrupt', async () => {
    const wrong = newDir();
    writeFileSync(join(wrong, 'db.json'), '[1,2,3]');
    expect(await failure(open(wrong))).toBeInstanceOf(StoreCorruptError);
    expect(readFileSync(join(wrong, 'db.json'), 'utf8')).toBe('[1,2,3]');

    const unreadable = newDir();
    mkdirSync(join(unreadable, 'db.json')); // EISDIR on read
    const e2 = await failure(open(unreadable));
    expect(e2).toBeInstanceOf(StoreCorruptError);
    expect(e2?.message).toContain(join(unreadable, 'db.json'));

    const missing = newDir();
    const s = await open(missing);
    await s.put('c', 'a', 1);
    await s.close();
    rmSync(join(missing, 'db.json'));
    const e3 = await failure(open(missing));
    expect(e3).toBeInstanceOf(StoreCorruptError);
    expect(e3?.message).toContain('missing');
  });
});

describe('createStore', () => {
  it('opens lowdb at DATA_DIR/db.json, memory in process, and refuses postgres for now', async () => {
    const dir = newDir();
    const lowdb = await createStore({ store: 'lowdb', dataDir: dir, clock: new ManualClock(T0) });
    stores.push(lowdb);
    expect(lowdb).toBeInstanceOf(LowdbStore);
    expect(existsSync(join(dir, 'db.json'))).toBe(true);
    const memory = await createStore({ store: 'memory', dataDir: dir });
    await memory.put('c', 'k', 1);
    expect(await memory.get('c', 'k')).toBe(1);
    const err = await failure(createStore({ store: 'postgres', dataDir: dir }));
    expect(err).toBeInstanceOf(BotError);
    expect(err?.code).toBe('config_invalid');
    expect(err?.message).toContain('not available yet');
  });
});
