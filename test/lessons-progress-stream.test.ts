import { describe, expect, it, vi } from 'vitest';
import { PROGRESS, readAllProgress } from '../src/lessons/progress.ts';
import { withProgress } from '../src/lessons/progress-stream.ts';
import { MemoryStore } from '../storage/memory.ts';

const p = (sentAt: number) => ({ sentAt, via: 'push' as const, attempts: 0 });

async function collect(store: MemoryStore, keys: string[], page: number) {
  const out = new Map<string, Map<string, unknown>>();
  for await (const [u, progress] of withProgress(
    store,
    keys.map((userKey) => ({ userKey })),
    page,
  ))
    out.set(u.userKey, progress);
  return out;
}

describe('withProgress: each user with their progress, read page by page', () => {
  it('matches reading everything, across page ends and keys that sort around "/"', async () => {
    const store = new MemoryStore();
    // 'dev:u1-x' sorts between 'dev:u1' and 'dev:u1/…' as a key, and 'dev:u10' after both.
    const users = ['dev:u1', 'dev:u1-x', 'dev:u10', 'dev:u2', 'dev:none', 'dev:a.b'];
    let n = 0;
    for (const u of ['dev:u1', 'dev:u1-x', 'dev:u10', 'dev:u2', 'dev:a.b', 'dev:gone'])
      for (const l of ['wh/l1', 'wh/l2', 'all/l1']) await store.put(PROGRESS, `${u}/${l}`, p(n++));
    await store.put(PROGRESS, 'dev:u1/odd/extra/segment', p(99)); // not `<track>/<lesson>`
    const all = await readAllProgress(store);
    for (const page of [1, 2, 3, 7, 1000]) {
      const got = await collect(store, users, page);
      expect([...got.keys()].sort()).toEqual([...users].sort());
      for (const u of users) expect(got.get(u), `${u} (page ${page})`).toEqual(all.get(u) ?? new Map());
    }
  });

  it('reads a page at a time, not the whole collection', async () => {
    const store = new MemoryStore();
    const users = Array.from({ length: 50 }, (_, i) => `dev:u${String(i).padStart(2, '0')}`);
    for (const u of users) await store.put(PROGRESS, `${u}/wh/l1`, p(1));
    const list = vi.spyOn(store, 'list');
    const got = await collect(store, users, 10);
    expect(got.size).toBe(50);
    expect(list.mock.calls.every(([, o]) => o?.limit === 10)).toBe(true);
    expect(list).toHaveBeenCalledTimes(6); // 5 full pages + the empty end
  });

  it('falls back to one read when a user key contains "/"', async () => {
    const store = new MemoryStore();
    await store.put(PROGRESS, 'dev:a/b/wh/l1', p(1));
    await store.put(PROGRESS, 'dev:a/wh/l1', p(2));
    const got = await collect(store, ['dev:a', 'dev:a/b'], 1);
    expect(got.get('dev:a')).toEqual(new Map([['wh/l1', p(2)]]));
    expect(got.get('dev:a/b')).toEqual(new Map([['wh/l1', p(1)]]));
  });
});
