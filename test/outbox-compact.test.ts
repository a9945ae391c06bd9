import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Adapter } from '../src/core/adapter.ts';
import {
  OFFERED_BUTTONS,
  OUTBOX_BODY,
  Outbox,
  type OutboxItem,
  type OutboxItemInput,
  readOfferedButtons,
} from '../src/core/outbox.ts';
import type { Address, OutgoingMessage } from '../src/core/types.ts';
import { LowdbStore } from '../storage/lowdb.ts';
import { MemoryStore } from '../storage/memory.ts';

const T0 = Date.parse('2026-03-02T01:00:00Z');

function fakeAdapter(onSend?: () => void) {
  const sent: { text: string; to: Address; key?: string }[] = [];
  const adapter: Adapter = {
    platform: 'dev',
    async send(to, message, opts) {
      onSend?.();
      sent.push({ text: message.text, to, key: opts?.idempotencyKey });
      return {};
    },
  };
  return { adapter, sent };
}

const user = (id: string): Address => ({ platform: 'dev', userId: id, chatType: 'direct' });
/** A lesson-sized message: over the inline limit, so stored once as a body. */
const lesson: OutgoingMessage = {
  title: '今日微课',
  text: `扫码入库\n${'第一步：打开手机端，扫描到货单上的条码。'.repeat(12)}`,
  buttons: [
    { label: '1. 先扫码', value: 'lesson:quiz:wh:scan-in:1' },
    { label: '2. 先点数', value: 'lesson:quiz:wh:scan-in:2' },
  ],
};
const push = (to: Address, n: number, extra: Partial<OutboxItemInput> = {}): OutboxItemInput => ({
  to,
  message: lesson,
  idempotencyKey: `lesson:${to.userId}:${n}`,
  dedupeKey: `lesson:${to.userId}:${n}`,
  ...extra,
});

describe('outbox: compact records, shared bodies, windowed queue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('stores a message shared by 50 items once, and deletes it with the last item sent', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    await outbox.enqueue([
      ...Array.from({ length: 50 }, (_, i) => push(user(`u${i}`), 1)),
      { to: user('u0'), message: { text: '好的' }, idempotencyKey: 'reply-1' },
    ]);
    expect(await store.list(OUTBOX_BODY)).toHaveLength(1);
    const records = await store.list<Record<string, unknown>>('outbox');
    expect(records).toHaveLength(51);
    expect(records[0].value.message).toBeUndefined();
    expect(records[0].value.body).toBe((await store.list(OUTBOX_BODY))[0].key);
    expect(records[50].value.message).toEqual({ text: '好的' }); // small: inline, no body
    // The API shows whole items, as before the compact format.
    const pending = await outbox.pending();
    expect(pending[0]).toEqual({
      to: user('u0'),
      message: lesson,
      idempotencyKey: 'lesson:u0:1',
      dedupeKey: 'lesson:u0:1',
      id: records[0].key,
      lane: 'dev:u0',
      createdAt: T0,
      attempts: 0,
      nextAttemptAt: T0,
    } satisfies OutboxItem);
    expect(pending[50].message).toEqual({ text: '好的' });

    const { adapter, sent } = fakeAdapter();
    outbox.register(adapter);
    await outbox.start();
    await vi.advanceTimersByTimeAsync(10);
    await outbox.idle();
    expect(sent).toHaveLength(51);
    expect(sent.filter((s) => s.text === lesson.text)).toHaveLength(50);
    expect(await store.list('outbox')).toEqual([]);
    expect(await store.list(OUTBOX_BODY)).toEqual([]);
  });

  it('sends queued items of the older record format (whole message in each) after a restart', async () => {
    const store = new MemoryStore();
    const old: OutboxItem[] = ['first', 'second'].map((text, i) => ({
      to: user('old'),
      message: { text, buttons: [{ label: '好', value: `ok:${i}` }] },
      idempotencyKey: `legacy-${i}`,
      dedupeKey: `legacy-${i}`,
      id: `${String(T0 - 5000).padStart(15, '0')}-${String(i).padStart(8, '0')}`,
      lane: 'dev:old',
      createdAt: T0 - 5000,
      attempts: 0,
      nextAttemptAt: T0 - 5000,
    }));
    for (const o of old) await store.put('outbox', o.id, o);
    // An offered-buttons doc of the older format (buttons inline) still maps a typed number.
    await store.put(OFFERED_BUTTONS, 'dev:old', { at: T0 - 5000, buttons: [{ label: '甲', value: 'x:a' }] });
    expect(await readOfferedButtons(store, 'dev:old')).toEqual({
      at: T0 - 5000,
      buttons: [{ label: '甲', value: 'x:a' }],
    });

    const outbox = new Outbox({ store });
    expect(await outbox.pending()).toEqual(old);
    await outbox.enqueue([{ to: user('old'), message: { text: 'third' }, idempotencyKey: 'new-1' }]);
    const { adapter, sent } = fakeAdapter();
    outbox.register(adapter);
    await outbox.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((s) => [s.text, s.key])).toEqual([
      ['first', 'legacy-0'],
      ['second', 'legacy-1'],
      ['third', 'new-1'],
    ]);
    expect(await store.list('outbox')).toEqual([]);
    expect((await readOfferedButtons(store, 'dev:old'))?.buttons).toEqual([{ label: '好', value: 'ok:1' }]);
  });

  it('records offered buttons when the platform accepts the message, not while it is held', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter } = fakeAdapter();
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue([push(user('q'), 1, { notBefore: T0 + 3_600_000 })]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await readOfferedButtons(store, 'dev:q')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(await readOfferedButtons(store, 'dev:q')).toEqual({ at: T0 + 3_600_000, buttons: lesson.buttons });
    // 100 users offered the same buttons: the list is stored once.
    await outbox.enqueue(Array.from({ length: 100 }, (_, i) => push(user(`m${i}`), 1)));
    await vi.advanceTimersByTimeAsync(10);
    expect(await store.list(OFFERED_BUTTONS)).toHaveLength(101);
    expect(await store.list('offered-button-sets')).toHaveLength(1);
  });

  it('loads a long queue half a window at a time: per-lane order, each item once, memory bounded', async () => {
    const store = new MemoryStore();
    const planner = new Outbox({ store });
    const lanes = ['a', 'b', 'c'];
    await planner.enqueue(
      Array.from({ length: 120 }, (_, i) => push(user(lanes[i % 3]), i, { message: { text: `m${i}` } })),
    );
    const outbox = new Outbox({ store, window: 10 });
    const held = () => (outbox as unknown as { queue: { held: number } }).queue.held;
    let most = 0;
    const { adapter, sent } = fakeAdapter(() => {
      most = Math.max(most, held());
    });
    const list = vi.spyOn(store, 'list');
    outbox.register(adapter);
    await outbox.start();
    await vi.advanceTimersByTimeAsync(100);
    await outbox.idle();
    expect(sent).toHaveLength(120);
    for (const lane of lanes) {
      const texts = sent.filter((s) => s.to.userId === lane).map((s) => Number(s.text.slice(1)));
      expect(texts).toEqual([...texts].sort((x, y) => x - y));
      expect(texts).toHaveLength(40);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(10);
    const pages = list.mock.calls.filter(([c]) => c === 'outbox').map(([, o]) => o?.limit);
    expect(pages.filter((l) => l === 5).length).toBeGreaterThanOrEqual(24); // 120 items, 5 per load
    expect(await store.list('outbox')).toEqual([]);
  });

  it('a window full of items held for quiet hours does not keep a later reply waiting in the store', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store, window: 4 });
    const { adapter, sent } = fakeAdapter();
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue(
      Array.from({ length: 12 }, (_, i) => push(user(`h${i}`), 1, { notBefore: T0 + 3_600_000 })),
    );
    await outbox.enqueue([{ to: user('h3'), message: { text: 'reply' }, idempotencyKey: 'r' }]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((s) => s.text)).toEqual(['reply']);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sent).toHaveLength(13);
    expect(await store.list(OUTBOX_BODY)).toEqual([]);
  });

  it('keeps the full message in a dead letter, and a retry stores the compact record', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store, retry: { maxAttempts: 2, baseMs: 1000 }, random: () => 0.5 });
    let calls = 0;
    outbox.register({
      platform: 'dev',
      async send() {
        calls++;
        throw new Error('network down');
      },
    });
    await outbox.start();
    await outbox.enqueue([push(user('d'), 1)]);
    await vi.advanceTimersByTimeAsync(10);
    const [retrying] = await store.list<Record<string, unknown>>('outbox');
    expect(retrying.value).toMatchObject({ attempts: 1, lastError: 'dev send failed: network down' });
    expect(retrying.value.message).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(2);
    const [dead] = await outbox.dead();
    expect(dead.message).toEqual(lesson);
    expect(dead).not.toHaveProperty('body');
    expect(await store.list(OUTBOX_BODY)).toEqual([]);
  });

  it('counts references right when commits run while start() scans the queue', async () => {
    for (let ticks = 0; ticks < 10; ticks++) {
      const store = new MemoryStore();
      const outbox = new Outbox({ store });
      await outbox.enqueue([push(user('s0'), 0)]);
      const { adapter, sent } = fakeAdapter();
      outbox.register(adapter);
      // The commit's batch lands `ticks` microtasks after its claims: before, during or after
      // the scan's page read.
      const during = outbox.enqueue(
        Array.from({ length: 5 }, (_, i) => push(user(`s${i + 1}`), 0, { notBefore: Date.now() + 60_000 })),
      );
      for (let t = 0; t < ticks; t++) await Promise.resolve();
      const starting = outbox.start();
      await Promise.all([starting, during]);
      await vi.advanceTimersByTimeAsync(10);
      expect(sent).toHaveLength(1);
      // s0 went; the five held items still refer to the body, so it must still be stored.
      expect(await store.list(OUTBOX_BODY)).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(60_000);
      await outbox.idle();
      await outbox.enqueue([push(user('later'), 0)]); // the body again, after the last was sent
      await vi.advanceTimersByTimeAsync(10);
      expect(sent.map((s) => s.text === lesson.text)).toEqual(Array(7).fill(true));
      expect(await store.list(OUTBOX_BODY)).toEqual([]);
      expect(await outbox.dead()).toEqual([]);
    }
  });

  it('a message that cannot be stored fails the commit and frees its dedupe key', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const cyclic: Record<string, unknown> = { text: 'x'.repeat(300) };
    cyclic.self = cyclic;
    await expect(
      outbox.enqueue([push(user('c'), 1, { message: cyclic as unknown as OutgoingMessage })]),
    ).rejects.toThrow();
    expect(await outbox.enqueue([push(user('c'), 1)])).toEqual({ queued: 1, skipped: 0 });
    expect(await store.list(OUTBOX_BODY)).toHaveLength(1);
  });

  it('deletes bodies no queued item refers to at start', async () => {
    const store = new MemoryStore();
    await store.put(OUTBOX_BODY, 'f'.repeat(40), { text: 'orphan' });
    const planner = new Outbox({ store });
    await planner.enqueue([push(user('k'), 1)]);
    const outbox = new Outbox({ store });
    await outbox.start(); // no adapter: the item stays queued, its body too
    expect((await store.list(OUTBOX_BODY)).map((b) => b.value)).toEqual([lesson]);
    expect((await outbox.pending())[0].message).toEqual(lesson);
  });
});

describe('outbox on the lowdb store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a restart mid-drain sends the rest exactly once and collects the shared body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-lowdb-'));
    dirs.push(dir);
    let store = await LowdbStore.open({ dataDir: dir });
    const first = new Outbox({ store, limits: { dev: [{ max: 10, perMs: 3_600_000 }] } });
    const a = fakeAdapter();
    first.register(a.adapter);
    await first.enqueue(Array.from({ length: 30 }, (_, i) => push(user('r'), i)));
    await first.start();
    await vi.waitFor(() => expect(a.sent).toHaveLength(10));
    await first.stop();
    await store.close();

    store = await LowdbStore.open({ dataDir: dir });
    expect(await store.list('outbox')).toHaveLength(20);
    const second = new Outbox({ store, window: 8 });
    const b = fakeAdapter();
    second.register(b.adapter);
    await second.start();
    await vi.waitFor(() => expect(b.sent).toHaveLength(20));
    await second.idle();
    await second.stop();
    const keys = [...a.sent, ...b.sent].map((s) => s.key);
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => `lesson:r:${i}`));
    expect(await store.list('outbox')).toEqual([]);
    expect(await store.list(OUTBOX_BODY)).toEqual([]);
    await store.close();
  });
});
