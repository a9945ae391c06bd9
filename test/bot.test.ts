import { describe, expect, it } from 'vitest';
import { Bot } from '../src/core/bot.ts';
import { parseCommand } from '../src/core/commands.ts';
import { type Feature, handled, pass } from '../src/core/feature.ts';
import { Outbox } from '../src/core/outbox.ts';
import { type IncomingMessage, ManualClock } from '../src/core/types.ts';
import { MemoryStore } from '../storage/memory.ts';
import { createHarness } from './helpers/harness.ts';

/** A feature that counts per user (lost updates would show) and offers buttons on `menu`. */
const counter: Feature = {
  name: 'count',
  async handle(stage, input, ctx) {
    if (stage === 'action' && input.kind === 'action') return handled({ text: `clicked ${input.value}` });
    if (input.kind === 'text' && input.text === 'menu')
      return handled({
        text: 'pick',
        buttons: [
          { label: '甲', value: 'count:a' },
          { label: '乙', value: 'count:b' },
        ],
      });
    if (input.kind === 'text' && input.text === 'boom') throw new Error('boom');
    if (input.kind !== 'text' || input.text !== 'inc') return pass;
    const n = ((await ctx.tx.get<number>('counts', ctx.userKey)) ?? 0) + 1;
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    ctx.tx.put('counts', ctx.userKey, n);
    return handled({ text: `n=${n}` });
  },
  help: (l) => (l === 'en' ? 'inc — count' : 'inc — 计数'),
};

const wecomMsg = (id: string, text: string, userId = 'zhangsan'): IncomingMessage => ({
  id,
  platform: 'wecom',
  userId,
  address: { platform: 'wecom', userId, chatType: 'direct' },
  text,
});

describe('bot core', () => {
  it('parses contract commands whole-message, case- and width-insensitively', () => {
    expect(parseCommand('调研')).toEqual({ command: 'survey' });
    expect(parseCommand('ＨＥＬＰ')).toEqual({ command: 'help' });
    expect(parseCommand(' Cancel ')).toEqual({ command: 'cancel' });
    expect(parseCommand('调研 needs-diagnosis')).toEqual({ command: 'survey', arg: 'needs-diagnosis' });
    expect(parseCommand('取消订单怎么操作')).toBeUndefined();
    expect(parseCommand('转人工')).toEqual({ command: 'human' });
  });

  it('drops a redelivered message id but handles two different ids from the same user in the same second', async () => {
    const store = new MemoryStore(new ManualClock(0));
    const outbox = new Outbox({ store });
    const bot = new Bot({ store, outbox, features: [counter] });
    expect((await bot.dispatch(wecomMsg('m1', 'inc'))).status).toBe('done');
    expect((await bot.dispatch(wecomMsg('m1', 'inc'))).status).toBe('duplicate');
    expect((await bot.dispatch(wecomMsg('m2', 'inc'))).status).toBe('done');
    expect(await store.get('counts', 'wecom:zhangsan')).toBe(2);
    // replies to platform users go through the outbox, persisted
    expect((await outbox.pending()).map((i) => i.message.text)).toEqual(['n=1', 'n=2']);
  });

  it('remembers delivery ids across a restart (same store)', async () => {
    const store = new MemoryStore();
    const bot1 = new Bot({ store, outbox: new Outbox({ store }), features: [counter] });
    await bot1.dispatch(wecomMsg('m9', 'inc'));
    const bot2 = new Bot({ store, outbox: new Outbox({ store }), features: [counter] });
    expect((await bot2.dispatch(wecomMsg('m9', 'inc'))).status).toBe('duplicate');
  });

  it('runs one turn at a time per user: 50 concurrent messages lose no update', async () => {
    const h = await createHarness({ features: [counter] });
    await Promise.all(Array.from({ length: 50 }, () => h.say('u1', 'inc')));
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.say(`p${i}`, 'inc')));
    expect(await h.store.get('counts', 'dev:u1')).toBe(50);
    expect(await h.store.get('counts', 'dev:p7')).toBe(1);
  });

  it('writes nothing when a turn fails, and lets a redelivery through', async () => {
    const store = new MemoryStore();
    const bot = new Bot({ store, outbox: new Outbox({ store }), features: [counter] });
    expect((await bot.dispatch(wecomMsg('x1', 'boom'))).status).toBe('failed');
    expect(await store.get('sessions', 'wecom:zhangsan')).toBeUndefined();
    expect((await bot.dispatch(wecomMsg('x1', 'inc'))).status).toBe('done');
  });

  it("never feeds a group mention to the sender's 1:1 flow", async () => {
    const flow: Feature = {
      name: 'flow',
      async handle(stage, input, ctx) {
        if (stage === 'flow')
          return handled({ text: `flow got ${input.kind === 'text' ? input.text : '?'}` });
        if (input.kind === 'text' && input.text === 'start') {
          ctx.session.active = { feature: 'flow', data: {} };
          return handled({ text: 'started' });
        }
        return pass;
      },
    };
    const h = await createHarness({ features: [flow, counter] });
    await h.say('g1', 'start');
    expect((await h.say('g1', 'x'))[0].text).toBe('flow got x');
    const store = h.store;
    const bot = new Bot({ store, outbox: new Outbox({ store }), features: [flow, counter] });
    const r = await bot.dispatch({
      id: 'grp-1',
      platform: 'dev',
      userId: 'g1',
      group: true,
      address: { platform: 'dev', chatId: 'room', chatType: 'group', userId: 'g1' },
      text: 'inc',
    });
    expect(r.status === 'done' && r.replies[0].text).toBe('n=1');
    expect((await h.say('g1', 'y'))[0].text).toBe('flow got y');
  });

  it('maps a typed number or label to the last offered buttons', async () => {
    const h = await createHarness({ features: [counter] });
    expect((await h.say('u', 'menu'))[0].buttons).toHaveLength(2);
    expect((await h.say('u', '２'))[0].text).toBe('clicked count:b');
    await h.say('u', 'menu');
    expect((await h.say('u', '甲'))[0].text).toBe('clicked count:a');
  });

  it('maps a typed number to the buttons of a newer push rather than an older reply', async () => {
    const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
    const h = await createHarness({ features: [counter], clock });
    await h.say('u', 'menu');
    clock.advance(60_000);
    await h.outbox.enqueue([
      {
        to: { platform: 'dev', userId: 'u', chatType: 'direct' },
        message: { text: 'please confirm', buttons: [{ label: '好', value: 'count:x' }] },
        idempotencyKey: 'p1',
      },
    ]);
    clock.advance(60_000);
    expect((await h.say('u', '1'))[0].text).toBe('clicked count:x');
    clock.advance(31 * 60_000);
    expect((await h.say('u', '1'))[0].text).not.toContain('clicked');
  });

  it('answers anything else with help, in the user locale', async () => {
    const h = await createHarness({ features: [counter] });
    const [zh] = await h.say('u', '你好呀');
    expect(zh.text).toContain('inc — 计数');
    const [en] = await h.say('v', 'hello', { locale: 'en' });
    expect(en.text).toContain('inc — count');
  });
});
