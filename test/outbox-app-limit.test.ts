import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Adapter } from '../src/core/adapter.ts';
import { Outbox } from '../src/core/outbox.ts';
import { DEFAULT_APP_LIMITS, SlidingWindow } from '../src/core/rate-limit.ts';
import type { Address } from '../src/core/types.ts';
import { MemoryStore } from '../storage/memory.ts';

const T0 = Date.parse('2026-03-02T01:00:00Z');

function recorder(platform: Adapter['platform']) {
  const sent: { at: number; text: string }[] = [];
  const adapter: Adapter = {
    platform,
    async send(_to, message) {
      sent.push({ at: Date.now(), text: message.text });
      return {};
    },
  };
  return { adapter, sent };
}

const maxInAnyWindow = (sent: { at: number }[], ms: number) =>
  Math.max(...sent.map((s) => sent.filter((x) => x.at >= s.at && x.at < s.at + ms).length));

describe('outbox app-wide limits (per platform, across targets)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('Feishu by default: a push to 120 users goes out at most 50 in any second, in order, all of it', async () => {
    expect(DEFAULT_APP_LIMITS.feishu).toContainEqual({ max: 50, perMs: 1_000 });
    const outbox = new Outbox({ store: new MemoryStore() });
    const { adapter, sent } = recorder('feishu');
    outbox.register(adapter);
    await outbox.start();
    const user = (i: number): Address => ({ platform: 'feishu', userId: `ou_${i}`, chatType: 'direct' });
    await outbox.enqueue(
      Array.from({ length: 120 }, (_, i) => ({
        to: user(i),
        message: { text: `m${i}` },
        idempotencyKey: `k${i}`,
      })),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.length).toBe(50);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent.map((s) => s.text)).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));
    expect(maxInAnyWindow(sent, 1_000)).toBeLessThanOrEqual(50);
    expect(sent[119].at - T0).toBeLessThan(3_000); // about 2 windows of 1 s (+5 % margin), not retries
    expect(await outbox.pending()).toEqual([]);
    await outbox.stop();
  });

  it('a lane pumped while others wait at the gate goes after them; lanes of other platforms are not held', async () => {
    const outbox = new Outbox({
      store: new MemoryStore(),
      appLimits: { slack: [{ max: 3, perMs: 1_000 }] },
    });
    const slack = recorder('slack');
    const wecom = recorder('wecom');
    outbox.register(slack.adapter);
    outbox.register(wecom.adapter);
    await outbox.start();
    const ch = (i: number): Address => ({ platform: 'slack', chatId: `C${i}`, chatType: 'group' });
    await outbox.enqueue(
      Array.from({ length: 7 }, (_, i) => ({
        to: ch(i),
        message: { text: `s${i}` },
        idempotencyKey: `s${i}`,
      })),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(slack.sent.map((s) => s.text)).toEqual(['s0', 's1', 's2']);
    await outbox.enqueue([
      { to: ch(99), message: { text: 'late' }, idempotencyKey: 'late' },
      {
        to: { platform: 'wecom', userId: 'u1', chatType: 'direct' },
        message: { text: 'w' },
        idempotencyKey: 'w',
      },
    ]);
    await vi.advanceTimersByTimeAsync(10);
    expect(wecom.sent.map((s) => s.text)).toEqual(['w']);
    expect(slack.sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(slack.sent.map((s) => s.text)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 'late']);
    expect(maxInAnyWindow(slack.sent, 1_000)).toBeLessThanOrEqual(3);
    await outbox.stop();
  });
});

describe('rate windows across a restart', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('a restart inside the window keeps counting: app-wide (Feishu 50/s) and per lane (DingTalk robot 20/min)', async () => {
    const store = new MemoryStore();
    const feishuUser = (i: number): Address => ({
      platform: 'feishu',
      userId: `ou_${i}`,
      chatType: 'direct',
    });
    const robot: Address = { platform: 'dingtalk', chatId: 'grp', chatType: 'group', meta: { robot: 'ops' } };
    const first = new Outbox({ store });
    const f1 = recorder('feishu');
    const d1 = recorder('dingtalk');
    first.register(f1.adapter);
    first.register(d1.adapter);
    await first.start();
    await first.enqueue([
      ...Array.from({ length: 50 }, (_, i) => ({
        to: feishuUser(i),
        message: { text: `a${i}` },
        idempotencyKey: `a${i}`,
      })),
      ...Array.from({ length: 20 }, (_, i) => ({
        to: robot,
        message: { text: `r${i}` },
        idempotencyKey: `r${i}`,
      })),
    ]);
    await vi.advanceTimersByTimeAsync(100);
    expect([f1.sent.length, d1.sent.length]).toEqual([50, 20]);
    await first.stop();

    const second = new Outbox({ store });
    const f2 = recorder('feishu');
    const d2 = recorder('dingtalk');
    second.register(f2.adapter);
    second.register(d2.adapter);
    await second.start();
    await second.enqueue([
      ...Array.from({ length: 10 }, (_, i) => ({
        to: feishuUser(100 + i),
        message: { text: `b${i}` },
        idempotencyKey: `b${i}`,
      })),
      { to: robot, message: { text: 'r20' }, idempotencyKey: 'r20' },
    ]);
    await vi.advanceTimersByTimeAsync(500);
    expect([f2.sent.length, d2.sent.length]).toEqual([0, 0]); // the first second and minute still count
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f2.sent.length).toBe(10);
    expect(d2.sent.length).toBe(0);
    await vi.advanceTimersByTimeAsync(62_000);
    expect(d2.sent.map((s) => s.text)).toEqual(['r20']);
    expect(d2.sent[0].at - T0).toBeGreaterThanOrEqual(60_000);
    await second.stop();
  });
});

describe('SlidingWindow', () => {
  it('allows at most max in any window (widened by the 5 % margin) and forgets old sends', () => {
    const w = new SlidingWindow([{ max: 2, perMs: 1_000 }]);
    expect(w.nextAllowed(0)).toBe(0);
    w.record(0);
    w.record(100);
    expect(w.nextAllowed(200)).toBe(1_050); // first send + 1 s + 50 ms margin
    w.record(1_050);
    expect(w.nextAllowed(1_060)).toBe(1_150);
    expect(w.idle(1_060)).toBe(false);
    expect(w.idle(2_101)).toBe(true);
  });
  it('follows a clock that steps back: sends before the step stay as long ago as they were', () => {
    const w = new SlidingWindow([{ max: 2, perMs: 1_000 }]);
    w.record(10_000);
    w.record(10_100);
    expect(w.nextAllowed(10_200)).toBe(11_050);
    // The clock steps back 10 min: the two sends were 100 and 0 ms ago, not 10 min ahead.
    expect(w.nextAllowed(-589_800)).toBe(-589_800 + 850);
    w.record(-589_000);
    expect(w.nextAllowed(-588_990)).toBe(-589_900 + 1_050);
  });
});
