import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Adapter } from '../src/core/adapter.ts';
import { Outbox } from '../src/core/outbox.ts';
import type { Address } from '../src/core/types.ts';
import { MemoryStore } from '../storage/memory.ts';

const user = (i: number): Address => ({ platform: 'wecom', userId: `u${i}`, chatType: 'direct' });

describe('outbox sends in flight per platform', () => {
  it('never has more than maxInFlight sends open to one platform; waiting lanes go first come first served', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store, maxInFlight: 3 });
    let open = 0;
    let peak = 0;
    const started: string[] = [];
    const release: Array<() => void> = [];
    const adapter: Adapter = {
      platform: 'wecom',
      send: (to) =>
        new Promise((resolve) => {
          open++;
          peak = Math.max(peak, open);
          started.push(to.userId!);
          release.push(() => {
            open--;
            resolve({});
          });
        }),
    };
    outbox.register(adapter);
    await outbox.start();
    await outbox.enqueue(
      Array.from({ length: 10 }, (_, i) => ({
        to: user(i),
        message: { text: `m${i}` },
        idempotencyKey: `k${i}`,
      })),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['u0', 'u1', 'u2']);
    // Settle sends one at a time: each frees exactly one slot for the next waiting lane.
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 5));
    }
    await outbox.idle();
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`));
    expect(await outbox.pending()).toEqual([]);
    await outbox.stop();
  });

  it('counts each platform on its own', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store, maxInFlight: 1 });
    const open: Record<string, number> = {};
    const hold: Array<() => void> = [];
    for (const platform of ['wecom', 'slack'] as const)
      outbox.register({
        platform,
        send: () =>
          new Promise((resolve) => {
            open[platform] = (open[platform] ?? 0) + 1;
            hold.push(() => resolve({}));
          }),
      });
    await outbox.start();
    await outbox.enqueue([
      { to: user(1), message: { text: 'a' }, idempotencyKey: 'a' },
      { to: user(2), message: { text: 'b' }, idempotencyKey: 'b' },
      {
        to: { platform: 'slack', userId: 'U1', chatId: 'D1', chatType: 'direct' },
        message: { text: 'c' },
        idempotencyKey: 'c',
      },
    ]);
    await new Promise((r) => setTimeout(r, 20));
    expect(open).toEqual({ wecom: 1, slack: 1 });
    for (const h of hold.splice(0)) h();
    await new Promise((r) => setTimeout(r, 20));
    for (const h of hold.splice(0)) h();
    await outbox.idle();
    expect(open).toEqual({ wecom: 2, slack: 1 });
    await outbox.stop();
  });
});

describe('outbox tells adapters which sends are pushes', () => {
  it('push: true for items with a dedupe key (jobs), unset for replies', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const seen: Array<{ text: string; push?: boolean }> = [];
    outbox.register({
      platform: 'wecom',
      send: async (_to, m, o) => {
        seen.push({ text: m.text, ...(o.push !== undefined ? { push: o.push } : {}) });
        return {};
      },
    });
    await outbox.start();
    await outbox.enqueue([
      { to: user(1), message: { text: 'reply' }, idempotencyKey: 'r1' },
      { to: user(1), message: { text: 'lesson' }, idempotencyKey: 'p1', dedupeKey: 'lesson:u1:l1' },
    ]);
    await outbox.idle();
    expect(seen).toEqual([{ text: 'reply' }, { text: 'lesson', push: true }]);
    await outbox.stop();
  });

  it('WeCom defaults to 8 sends in flight (45033 beyond ~5–10), other platforms to 32; OUTBOX_MAX_IN_FLIGHT sets all', async () => {
    const hanging = (platform: Adapter['platform'], open: { n: number }): Adapter => ({
      platform,
      send: () => {
        open.n++;
        return new Promise(() => {});
      },
    });
    const run = async (maxInFlight: number | undefined) => {
      const outbox = new Outbox({ store: new MemoryStore(), maxInFlight });
      const wecom = { n: 0 };
      const slack = { n: 0 };
      outbox.register(hanging('wecom', wecom));
      outbox.register(hanging('slack', slack));
      await outbox.start();
      await outbox.enqueue(
        Array.from({ length: 40 }, (_, i) => ({
          to: i % 2 ? user(i) : ({ platform: 'slack', chatId: `C${i}`, chatType: 'group' } as Address),
          message: { text: `m${i}` },
          idempotencyKey: `k${i}`,
        })),
      );
      await new Promise((r) => setTimeout(r, 20));
      return { wecom: wecom.n, slack: slack.n };
    };
    expect(await run(undefined)).toEqual({ wecom: 8, slack: 20 });
    expect(await run(4)).toEqual({ wecom: 4, slack: 4 });
    expect(loadConfig({}).OUTBOX_MAX_IN_FLIGHT).toBeUndefined();
    expect(loadConfig({ OUTBOX_MAX_IN_FLIGHT: '4' }).OUTBOX_MAX_IN_FLIGHT).toBe(4);
    expect(() => loadConfig({ OUTBOX_MAX_IN_FLIGHT: '0' })).toThrow(/OUTBOX_MAX_IN_FLIGHT/);
  });
});
