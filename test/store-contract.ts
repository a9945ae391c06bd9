import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, ManualClock, type Store, StoreCorruptError } from '../src/index.ts';

/**
 * One storage location for one test. Every backend provides `open`; durable backends also
 * provide the crash and corruption hooks, and the contract then checks them too.
 */
export interface StoreFixture {
  /** Opens (or, after `close`/`crash`, reopens) the store on this fixture's storage. */
  open(clock: Clock): Promise<Store>;
  /** Data outlives `close()`: a reopen sees everything. */
  durable: boolean;
  /**
   * Simulates a crash now: later `open`s see what the disk holds at this instant, plus, when
   * `tornBatch` is set, that batch's record cut off half-way (a crash mid-append).
   */
  crash?(tornBatch?: Array<{ collection: string; key: string; value: unknown }>): Promise<void>;
  /** With the store closed: overwrites the main data file with garbage; returns its path. */
  corrupt?(): Promise<string>;
  /** Releases everything the fixture made (abandoned stores, temp dirs). */
  dispose(): Promise<void>;
}

const T0 = Date.UTC(2025, 0, 6, 1, 0, 0); // Monday 09:00 Asia/Shanghai

/**
 * The shared store contract: every backend (memory, lowdb, later PostgreSQL) runs it.
 * @param factory makes a fresh, empty storage location per test.
 */
export function runStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let clock: ManualClock;
    let store: Store;
    const setup = async () => {
      clock = new ManualClock(T0);
      fx = await factory();
      store = await fx.open(clock);
    };
    const reopen = async () => {
      await store.close();
      store = await fx.open(clock);
    };
    afterEach(async () => {
      await store?.close().catch(() => {});
      await fx?.dispose();
    });

    it('get/put/delete', async () => {
      await setup();
      expect(await store.get('c', 'a')).toBeUndefined();
      await store.put('c', 'a', { n: 1 });
      await store.put('c', 'a', { n: 2 });
      await store.put('other', 'a', 'x');
      expect(await store.get('c', 'a')).toEqual({ n: 2 });
      expect(await store.delete('c', 'a')).toBe(true);
      expect(await store.delete('c', 'a')).toBe(false);
      expect(await store.get('c', 'a')).toBeUndefined();
      expect(await store.get('other', 'a')).toBe('x');
    });

    it('list: ascending UTF-16 key order, prefix, limit, only that collection', async () => {
      await setup();
      const keys = ['b', 'a', 'B', '10', '9', 'é', '中', 'a:2', 'a:1', 'a:10'];
      for (const k of keys) await store.put('c', k, k);
      await store.put('d', 'a:0', 'x');
      const all = await store.list<string>('c');
      expect(all.map((e) => e.key)).toEqual([...keys].sort());
      expect(all.every((e) => e.value === e.key)).toBe(true);
      expect((await store.list('c', { prefix: 'a:' })).map((e) => e.key)).toEqual(['a:1', 'a:10', 'a:2']);
      expect((await store.list('c', { prefix: 'a:', limit: 2 })).map((e) => e.key)).toEqual(['a:1', 'a:10']);
      expect(await store.list('empty')).toEqual([]);
    });

    it('list: `after` pages through a collection in key order, with prefix and limit', async () => {
      await setup();
      const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      for (const k of [...keys].reverse()) await store.put('c', k, k);
      await store.put('c', 'x:1', 'other prefix');
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.list<string>('c', { prefix: 'k', after, limit: 7 });
        seen.push(...page.map((e) => e.key));
        if (page.length < 7) break;
        after = page.at(-1)!.key;
      }
      expect(seen).toEqual(keys);
      expect((await store.list('c', { after: 'k023' })).map((e) => e.key)).toEqual(['k024', 'x:1']);
      expect(await store.list('c', { after: 'x:1' })).toEqual([]);
    });

    it('claim is insert-if-absent, and exactly one of many concurrent claims wins', async () => {
      await setup();
      expect(await store.claim('dedupe', 'k', 1)).toBe(true);
      expect(await store.claim('dedupe', 'k', 2)).toBe(false);
      expect(await store.get('dedupe', 'k')).toBe(1);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim('job', 'slot', i)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('job', 'slot')).toBe(results.indexOf(true));
      await store.delete('dedupe', 'k');
      expect(await store.claim('dedupe', 'k', 3)).toBe(true);
    });

    it('batch applies its ops in order, and all or nothing', async () => {
      await setup();
      await store.put('c', 'gone', 1);
      await store.batch([
        { op: 'put', collection: 'c', key: 'a', value: 1 },
        { op: 'put', collection: 'c', key: 'a', value: 2 },
        { op: 'delete', collection: 'c', key: 'gone' },
        { op: 'put', collection: 's', key: 'b', value: 'x' },
      ]);
      expect(await store.get('c', 'a')).toBe(2);
      expect(await store.get('c', 'gone')).toBeUndefined();
      expect(await store.get('s', 'b')).toBe('x');
      // A value no backend can store (a function and a BigInt) fails the whole batch.
      const bad = { f: () => 1, n: 1n };
      await expect(
        store.batch([
          { op: 'put', collection: 'c', key: 'first', value: 1 },
          { op: 'put', collection: 'c', key: 'bad', value: bad },
        ]),
      ).rejects.toThrow();
      expect(await store.get('c', 'first')).toBeUndefined();
      expect(await store.get('c', 'bad')).toBeUndefined();
    });

    it('TTL: a document expires ttlMs after now; expired ones are invisible and claimable', async () => {
      await setup();
      await store.put('c', 'short', 'v', { ttlMs: 1000 });
      await store.put('c', 'early', 'v', { ttlMs: 6000, now: T0 - 5000 });
      await store.put('c', 'forever', 'v');
      clock.advance(999);
      expect(await store.get('c', 'short')).toBe('v');
      expect((await store.list('c')).map((e) => e.key)).toEqual(['early', 'forever', 'short']);
      clock.advance(1);
      expect(await store.get('c', 'short')).toBeUndefined();
      expect(await store.get('c', 'early')).toBeUndefined();
      expect((await store.list('c')).map((e) => e.key)).toEqual(['forever']);
      expect(await store.claim('c', 'short', 'again', { ttlMs: 500 })).toBe(true);
      expect(await store.get('c', 'short')).toBe('again');
      if (fx.durable) {
        await reopen();
        expect(await store.get('c', 'short')).toBe('again'); // expiry is absolute, not restarted
        clock.advance(500);
        expect(await store.get('c', 'short')).toBeUndefined();
        expect(await store.get('c', 'forever')).toBe('v');
      }
    });

    it('values are copies, in and out', async () => {
      await setup();
      const v = { answers: { q1: ['a'] } };
      await store.put('c', 'k', v);
      v.answers.q1.push('mutated in');
      const got = await store.get<typeof v>('c', 'k');
      got!.answers.q1.push('mutated out');
      const listed = await store.list<typeof v>('c');
      listed[0].value.answers.q1.push('mutated list');
      const b = { n: [1] };
      await store.batch([{ op: 'put', collection: 'c', key: 'b', value: b }]);
      b.n.push(2);
      expect(await store.get('c', 'k')).toEqual({ answers: { q1: ['a'] } });
      expect(await store.get('c', 'b')).toEqual({ n: [1] });
    });

    it('50 concurrent writers lose nothing', async () => {
      await setup();
      const users = Array.from({ length: 50 }, (_, i) => `wecom:u${i}`);
      await Promise.all(
        users.map(async (u) => {
          for (let turn = 0; turn < 4; turn++) {
            const s = (await store.get<{ turns: number }>('sessions', u)) ?? { turns: 0 };
            await store.batch([
              { op: 'put', collection: 'responses', key: `${u}:${turn}`, value: { u, turn } },
              { op: 'put', collection: 'sessions', key: u, value: { turns: s.turns + 1 } },
            ]);
          }
        }),
      );
      const check = async () => {
        expect(await store.list('responses')).toHaveLength(200);
        for (const u of users) expect(await store.get('sessions', u)).toEqual({ turns: 4 });
      };
      await check();
      if (fx.durable) {
        await reopen();
        await check();
      }
    });

    it('dump holds every live document; restore replaces everything with it, atomically', async () => {
      await setup();
      await store.put('responses', 'r1', { q: ['a'] });
      await store.put('dedupe', 'm1', 1, { ttlMs: 60_000 });
      await store.put('dedupe', 'old', 1, { ttlMs: 10 });
      clock.advance(10);
      const dump = await store.dump();
      expect(dump).toMatchObject({ format: 'rollout-bot-store', version: 1 });
      expect(dump.collections).toEqual({
        responses: { r1: { value: { q: ['a'] } } },
        dedupe: { m1: { value: 1, expiresAt: T0 + 60_000 } },
      });
      await store.put('responses', 'r2', 'later');
      await store.delete('responses', 'r1');
      await expect(store.restore({ format: 'nope' } as never)).rejects.toThrow();
      expect(await store.get('responses', 'r2')).toBe('later');
      await store.restore(dump);
      const check = async () => {
        expect((await store.list('responses')).map((e) => e.key)).toEqual(['r1']);
        expect(await store.get('responses', 'r1')).toEqual({ q: ['a'] });
        expect(await store.claim('dedupe', 'm1', 2)).toBe(false);
      };
      await check();
      if (fx.durable) {
        await reopen();
        await check();
      }
      clock.advance(60_000);
      expect(await store.get('dedupe', 'm1')).toBeUndefined(); // expiry kept absolute through restore
    });

    it('flush, ping, and calls after close reject', async () => {
      await setup();
      await store.put('c', 'k', 1);
      await store.flush();
      await store.ping();
      await store.close();
      await expect(store.get('c', 'k')).rejects.toThrow();
      await expect(store.put('c', 'k', 2)).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
    });

    it('reopen sees everything (durable backends)', async (ctx) => {
      await setup();
      if (!fx.durable) return ctx.skip();
      await store.put('c', 'a', { deep: { list: [1, 2, { x: '中文' }] } });
      await store.put('c', 'b', 2);
      await store.put('c', 'gone', 3);
      await store.delete('c', 'gone');
      await store.claim('dedupe', 'm1', { at: T0 });
      await reopen();
      expect(await store.get('c', 'a')).toEqual({ deep: { list: [1, 2, { x: '中文' }] } });
      expect(await store.get('c', 'gone')).toBeUndefined();
      expect(await store.claim('dedupe', 'm1', 'x')).toBe(false);
      expect((await store.list('c')).map((e) => e.key)).toEqual(['a', 'b']);
    });

    it('a crash keeps every acknowledged write; a torn last batch is ignored as a whole', async (ctx) => {
      await setup();
      if (!fx.crash) return ctx.skip();
      await store.put('c', 'a', 1);
      await store.batch([
        { op: 'put', collection: 'c', key: 'b', value: 2 },
        { op: 'delete', collection: 'c', key: 'a' },
      ]);
      await fx.crash([
        { collection: 'c', key: 'torn1', value: 'x' },
        { collection: 'c', key: 'torn2', value: 'y' },
      ]);
      store = await fx.open(clock);
      expect((await store.list('c')).map((e) => [e.key, e.value])).toEqual([['b', 2]]);
      // The store stays healthy: more writes, another crash, another reopen.
      await store.put('c', 'after', 3);
      await fx.crash();
      store = await fx.open(clock);
      expect((await store.list('c')).map((e) => e.key)).toEqual(['after', 'b']);
    });

    it('a corrupt data file stops the open and is kept byte for byte', async (ctx) => {
      await setup();
      if (!fx.corrupt) return ctx.skip();
      await store.put('c', 'a', 1);
      await store.close();
      const file = await fx.corrupt();
      const { readFile } = await import('node:fs/promises');
      const before = await readFile(file);
      const err = await fx.open(clock).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreCorruptError);
      expect((err as StoreCorruptError).code).toBe('store_corrupt');
      expect((err as StoreCorruptError).message).toContain(file);
      expect((await readFile(file)).equals(before)).toBe(true);
      // A second attempt fails the same way (no lock or half-open state left behind).
      await expect(fx.open(clock)).rejects.toBeInstanceOf(StoreCorruptError);
      expect((await readFile(file)).equals(before)).toBe(true);
    });
  });
}
