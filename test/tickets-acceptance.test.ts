import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevAdapter, type Reply } from '../adapters/dev/index.ts';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { Bot } from '../src/core/bot.ts';
import { Outbox } from '../src/core/outbox.ts';
import { ManualClock } from '../src/core/types.ts';
import { createHttpApp, listen } from '../src/http/server.ts';
import { createTicketApi } from '../src/tickets/api.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { MemoryStore } from '../storage/memory.ts';

/**
 * The acceptance, over the contract routes: `POST /dev/chat`, `GET /dev/outbox`,
 * `GET /api/tickets` — the bot, outbox and dev adapter wired as a composition root would.
 */
const sh = (s: string) => Date.parse(`${s}+08:00`);
const config = {
  TICKET_HANDLERS: ['dev:it1'],
  TICKET_LEAD: 'dev:lead',
  TICKET_VENDOR: undefined,
  TICKET_SLA_HOURS: 4,
  TICKET_SLA_CALENDAR: 'working' as const,
  WORK_HOURS: '09:00-12:00,13:00-18:00',
  BOT_TIMEZONE: 'Asia/Shanghai',
};
const clock = new ManualClock(sh('2026-03-02T16:00'));
const store = new MemoryStore(clock);
const outbox = new Outbox({ store, clock });
const calendar = createWorkCalendar();
const bot = new Bot({ store, outbox, clock, features: [createTicketFeature({ config, calendar })] });
const job = createTicketSlaJob({ store, outbox, config, calendar });
let server: Server;
let url: string;

beforeAll(async () => {
  const dev = createDevAdapter({
    store,
    now: () => clock.now(),
    turn: (m) =>
      bot.dispatch({
        id: randomUUID(),
        platform: 'dev',
        address: { platform: 'dev', userId: m.userId },
        ...m,
      }),
  });
  outbox.register(dev);
  await outbox.start();
  const app = createHttpApp({
    routes: [(r) => dev.mount?.(r, { dispatch: async () => undefined, log: bot.log })],
    api: [createTicketApi({ store, clock })],
    adminToken: 'secret',
    health: async () => undefined,
    metrics: () => '',
    log: () => undefined,
  });
  ({ server, url } = await listen(app, 0, '127.0.0.1'));
});

afterAll(async () => {
  await outbox.stop();
  server?.close();
});

const chat = async (body: Record<string, string>): Promise<Reply[]> => {
  const res = await fetch(`${url}/dev/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: Reply[] }).replies;
};
const inbox = async (userId: string): Promise<Reply[]> => {
  await outbox.idle();
  return (await fetch(`${url}/dev/outbox?userId=${userId}`)).json() as Promise<Reply[]>;
};

describe('acceptance: 转人工 in the local chat', () => {
  it('opens a ticket the handler sees with buttons; the reply reaches the requester; the breach nudge goes out once', async () => {
    await chat({ userId: 'u1', text: '打印机卡纸了' });
    const [created] = await chat({ userId: 'u1', text: '转人工' });
    expect(created.text).toContain('IT 同事会在 4 个工作小时内回复您');
    // Mon 16:00: 2 h today, 2 h tomorrow from 09:00
    expect(created.text).toContain('3月3日 11:00');

    const [card] = await inbox('it1');
    expect(card.text).toContain('打印机卡纸了');
    expect(card.buttons?.map((b) => b.value)).toEqual([
      'ticket:claim:T1',
      'ticket:reply:T1',
      'ticket:resolve:T1',
      'ticket:escalate:T1',
    ]);

    // past 4 working hours (Tue 11:00): the scheduler's runs
    clock.set(sh('2026-03-03T11:00'));
    await job.run(clock.now());
    clock.advance(60_000);
    await job.run(clock.now());
    const lead = await inbox('lead');
    expect(lead).toHaveLength(1);
    expect(lead[0].text).toContain('T1');

    await chat({ userId: 'it1', action: 'ticket:reply:T1' });
    await chat({ userId: 'it1', text: '请打开前盖取出卡住的纸，再按继续键' });
    expect((await inbox('u1')).at(-1)?.text).toContain('请打开前盖取出卡住的纸');

    const list = await fetch(`${url}/api/tickets?sla=breached`, {
      headers: { authorization: 'Bearer secret' },
    });
    expect(((await list.json()) as Array<{ id: string }>).map((t) => t.id)).toEqual(['T1']);
    expect((await fetch(`${url}/api/tickets`)).status).toBe(401);
  });
});
