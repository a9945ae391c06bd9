import { createDevAdapter, type DevTurn, devMessage, type Reply, toReply } from '../../adapters/dev/index.ts';
import { Bot } from '../../src/core/bot.ts';
import type { Feature } from '../../src/core/feature.ts';
import { Outbox } from '../../src/core/outbox.ts';
import type { Store } from '../../src/core/store.ts';
import { type Clock, ManualClock } from '../../src/core/types.ts';
import { MemoryStore } from '../../storage/memory.ts';

export interface Harness {
  bot: Bot;
  store: Store;
  outbox: Outbox;
  clock: Clock;
  /** Sends text as local-chat user `userId`; returns the replies (as `POST /dev/chat` would). */
  say(userId: string, text: string, extra?: { role?: string; locale?: 'zh-CN' | 'en' }): Promise<Reply[]>;
  /** Clicks a button (its `value`) as `userId`. */
  click(userId: string, value: string): Promise<Reply[]>;
  /** Proactive messages delivered to local-chat user `userId` so far (waits for the outbox to go idle). */
  pushed(userId: string): Promise<Reply[]>;
  close(): Promise<void>;
}

/**
 * A bot on the `dev` platform with an in-memory store (or the one given) and the real outbox
 * delivering to the dev adapter — the fake adapter of STYLE.md rule 9 (`say('调研')`, expect).
 */
export async function createHarness(opts: {
  features: Feature[];
  clock?: Clock;
  store?: Store;
}): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
  const store = opts.store ?? new MemoryStore(clock);
  const outbox = new Outbox({ store, clock });
  const bot = new Bot({ store, outbox, features: opts.features, clock });
  const turn = async (m: DevTurn) => bot.dispatch(devMessage(m));
  const dev = createDevAdapter({ store, turn, now: () => clock.now() });
  outbox.register(dev);
  await outbox.start();
  const run = async (m: Parameters<typeof turn>[0]) => {
    const r = await turn(m);
    if (r.status === 'failed') throw r.error;
    return r.status === 'done' ? r.replies.map(toReply) : [];
  };
  return {
    bot,
    store,
    outbox,
    clock,
    say: (userId, text, extra) => run({ userId, text, ...extra }),
    click: (userId, value) => run({ userId, action: value }),
    async pushed(userId) {
      await outbox.idle();
      return (await store.list<Reply>('dev-outbox', { prefix: `${userId}\u0000` })).map((r) => r.value);
    },
    async close() {
      await outbox.stop();
    },
  };
}
