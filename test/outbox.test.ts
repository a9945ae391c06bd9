import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Adapter } from '../src/core/adapter.ts';
import { PlatformApiError } from '../src/core/errors.ts';
import { Outbox, type OutboxItemInput } from '../src/core/outbox.ts';
import type { Address, OutgoingMessage } from '../src/core/types.ts';
import { MemoryStore } from '../storage/memory.ts';

const T0 = Date.parse('2026-03-02T01:00:00Z');

function fakeAdapter(platform: Adapter['platform'], behave?: (n: number, m: OutgoingMessage) => void) {
  const sent: { at: number; text: string; to: Address }[] = [];
  let calls = 0;
  const adapter: Adapter = {
    platform,
    async send(to, message) {
      calls++;
      behave?.(calls, message);
      sent.push({ at: Date.now(), text: message.text, to });
      return {};
    },
  };
  return { adapter, sent, calls: () => calls };
}

const robot: Address = { platform: 'dingtalk', chatId: 'grp', chatType: 'group', meta: { robot: 'ops' } };
const item = (to: Address, text: string, extra: Partial<OutboxItemInput> = {}): OutboxItemInput => ({
  to,
  message: { text },
  idempotencyKey: text,
  ...extra,
});

describe('outbox', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('sends 25 messages to one DingTalk group robot: 20 in the first minute, 5 after, in order', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('dingtalk');
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue(Array.from({ length: 25 }, (_, i) => item(robot, `m${i}`)));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sent.length).toBe(20);
    // the next 5 go "about a minute later": after the 60 s window plus the 5 % safety margin
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent.length).toBe(20);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent.length).toBe(25);
    expect(sent.map((s) => s.text)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    // at most 20 in any 60 s window
    for (const s of sent)
      expect(sent.filter((x) => x.at >= s.at && x.at < s.at + 60_000).length).toBeLessThanOrEqual(20);
    expect(await outbox.pending()).toEqual([]);
  });

  it('keeps the rate window across bursts: Slack 1/s per channel even when the lane empties between messages', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('slack');
    outbox.register(adapter);
    await outbox.start();
    const ch: Address = { platform: 'slack', chatId: 'D1' };
    for (let i = 0; i < 3; i++) {
      await outbox.enqueue([item(ch, `r${i}`)]);
      await vi.advanceTimersByTimeAsync(300);
    }
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent.map((s) => s.text)).toEqual(['r0', 'r1', 'r2']);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a 429 without Retry-After with backoff and sends exactly once', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store, random: () => 0.5 });
    const { adapter, sent, calls } = fakeAdapter('slack', (n) => {
      if (n === 1)
        throw new PlatformApiError({
          platform: 'slack',
          method: 'chat.postMessage',
          status: 429,
          message: 'ratelimited',
          retryable: true,
        });
    });
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue([item({ platform: 'slack', chatId: 'C1' }, 'hello')]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.length).toBe(0);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(sent.map((s) => s.text)).toEqual(['hello']);
  });

  it('honours retryAfterMs (Retry-After: 3)', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('slack', (n) => {
      if (n === 1)
        throw new PlatformApiError({
          platform: 'slack',
          method: 'chat.postMessage',
          status: 429,
          message: 'x',
          retryable: true,
          retryAfterMs: 3_000,
        });
    });
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue([item({ platform: 'slack', chatId: 'C1' }, 'hi')]);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(sent.length).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.length).toBe(1);
    expect(sent[0].at - T0).toBeGreaterThanOrEqual(3_000);
  });

  it('dead-letters a permanent error with the platform code and keeps going', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('wecom', (_n, m) => {
      if (m.text === 'bad')
        throw new PlatformApiError({
          platform: 'wecom',
          method: 'message/send',
          errcode: 81013,
          message: 'user not found',
        });
    });
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue([
      item({ platform: 'wecom', userId: 'a' }, 'bad'),
      item({ platform: 'wecom', userId: 'a' }, 'good'),
    ]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((s) => s.text)).toEqual(['good']);
    const dead = await outbox.dead();
    expect(dead).toHaveLength(1);
    expect(dead[0].error.errcode).toBe(81013);
  });

  it('stop() waits for a send in flight, and a store error after an accepted send is not a retry', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    let release: () => void = () => {};
    const sent: string[] = [];
    outbox.register({
      platform: 'dev',
      async send(_to, m) {
        await new Promise<void>((r) => {
          release = r;
        });
        sent.push(m.text);
        return {};
      },
    });
    await outbox.start();
    await outbox.enqueue([item({ platform: 'dev', userId: 'u' }, 'slow')]);
    await vi.advanceTimersByTimeAsync(1);
    let stopped = false;
    const stopping = outbox.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sent).toEqual(['slow']);
    expect(await outbox.pending()).toEqual([]);
    expect(await outbox.dead()).toEqual([]);
  });

  it('a restart with 100 queued messages sends each exactly once', async () => {
    const store = new MemoryStore();
    const first = new Outbox({ store });
    await first.enqueue(
      Array.from({ length: 100 }, (_, i) => item({ platform: 'dev', userId: `u${i % 7}` }, `n${i}`)),
    );
    await first.stop(); // never started: nothing sent, all persisted
    const second = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('dev');
    second.register(adapter);
    await second.start();
    await vi.advanceTimersByTimeAsync(10);
    await second.idle();
    expect(sent.map((s) => s.text).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`).sort());
    const third = new Outbox({ store });
    const again = fakeAdapter('dev');
    third.register(again.adapter);
    await third.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(again.sent).toHaveLength(0);
  });

  it('sends items committed before start() exactly once', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('dev');
    outbox.register(adapter);
    await outbox.enqueue(
      Array.from({ length: 5 }, (_, i) => item({ platform: 'dev', userId: 'u' }, `e${i}`)),
    );
    await outbox.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((s) => s.text)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('queues a dedupe key at most once', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const a = await outbox.enqueue([item({ platform: 'dev', userId: 'u' }, 'x', { dedupeKey: 'k1' })]);
    const b = await outbox.enqueue([item({ platform: 'dev', userId: 'u' }, 'x', { dedupeKey: 'k1' })]);
    expect(a).toEqual({ queued: 1, skipped: 0 });
    expect(b).toEqual({ queued: 0, skipped: 1 });
  });

  it('holds a quiet-hours item without blocking a later reply to the same user', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const { adapter, sent } = fakeAdapter('dev');
    outbox.register(adapter);
    await outbox.start();
    const to: Address = { platform: 'dev', userId: 'u' };
    await outbox.enqueue([item(to, 'nudge', { notBefore: T0 + 3_600_000 }), item(to, 'reply')]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((s) => s.text)).toEqual(['reply']);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sent.map((s) => s.text)).toEqual(['reply', 'nudge']);
  });
});
