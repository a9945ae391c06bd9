import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { Bot } from '../src/core/bot.ts';
import type { OutboxItemInput } from '../src/core/outbox.ts';
import type { StoreOp } from '../src/core/store.ts';
import { ManualClock } from '../src/core/types.ts';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { listTickets } from '../src/tickets/repo.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { MemoryStore } from '../storage/memory.ts';
import { createHarness } from './helpers/harness.ts';

const sh = (s: string) => Date.parse(`${s}+08:00`);
const H = 3_600_000;
const base = {
  TICKET_HANDLERS: ['dev:it1'],
  TICKET_LEAD: 'dev:lead',
  TICKET_VENDOR: undefined,
  TICKET_SLA_HOURS: 4,
  TICKET_SLA_CALENDAR: 'working' as const,
  WORK_HOURS: '09:00-12:00,13:00-18:00',
  BOT_TIMEZONE: 'Asia/Shanghai',
};

describe('SLA timers survive restarts', () => {
  it('a deadline that passed while the bot was down fires once on start (new bot, job and scheduler on the same store)', async () => {
    const calendar = createWorkCalendar();
    const clock = new ManualClock(sh('2026-03-02T10:00'));
    const store = new MemoryStore(clock);
    // first life: the ticket is opened, the scheduler ticks once, then the process stops
    const h1 = await createHarness({
      features: [createTicketFeature({ config: base, calendar })],
      clock,
      store,
    });
    const s1 = createScheduler({
      store,
      clock,
      horizonMs: 6 * H,
      jobs: [createTicketSlaJob({ store, outbox: h1.outbox, config: base, calendar })],
    });
    await h1.say('u1', '出库单打印不出来');
    await h1.say('u1', '转人工');
    await s1.tick();
    await h1.close();

    // down from 10:00 to 16:30; the deadline (15:00) and the reminder (14:00) pass meanwhile
    clock.set(sh('2026-03-02T16:30'));
    const h2 = await createHarness({
      features: [createTicketFeature({ config: base, calendar })],
      clock,
      store,
    });
    const job2 = createTicketSlaJob({ store, outbox: h2.outbox, config: base, calendar });
    const s2 = createScheduler({ store, clock, horizonMs: 6 * H, jobs: [job2] });
    const first = await s2.tick();
    expect(first.outcomes).toMatchObject([
      { status: 'ran', job: 'tickets-sla', result: { sent: 1, breached: 1 } },
    ]);
    const lead = await h2.pushed('lead');
    expect(lead).toHaveLength(1);
    expect(lead[0].text).toContain('T1');
    // the reminder is moot once the deadline passed
    expect((await h2.pushed('it1')).filter((r) => r.text.includes('⏰'))).toHaveLength(0);

    // the next minute, a manual run, and a third process: nothing more
    clock.advance(60_000);
    await s2.tick();
    expect((await s2.runNow('tickets-sla', clock.now())).sent).toBe(0);
    expect((await job2.run(sh('2026-03-02T15:00'))).sent).toBe(0);
    expect(await h2.pushed('lead')).toHaveLength(1);
    const [tk] = await listTickets(store);
    expect(tk.breachedAt).toBe(sh('2026-03-02T15:00'));
    expect(tk.events.filter((e) => e.type === 'breached')).toHaveLength(1);
    await h2.close();
  });

  it('the dedupe keys alone keep the nudge exactly-once when the mark was lost (crash between queue and mark)', async () => {
    const calendar = createWorkCalendar();
    const clock = new ManualClock(sh('2026-03-02T10:00'));
    const store = new MemoryStore(clock);
    const queued: OutboxItemInput[] = [];
    const used = new Set<string>();
    const outbox = {
      async commit(ops: StoreOp[], items: OutboxItemInput[]) {
        await store.batch(ops);
        return this.enqueue(items);
      },
      async enqueue(items: OutboxItemInput[]) {
        let queuedN = 0;
        for (const i of items) {
          if (i.dedupeKey && used.has(i.dedupeKey)) continue;
          if (i.dedupeKey) used.add(i.dedupeKey);
          queued.push(i);
          queuedN++;
        }
        return { queued: queuedN, skipped: items.length - queuedN };
      },
    };
    const bot = new Bot({
      store,
      outbox: outbox as never,
      clock,
      features: [createTicketFeature({ config: base, calendar })],
    });
    const say = (text: string) =>
      bot.dispatch({
        id: randomUUID(),
        platform: 'dev',
        userId: 'u1',
        address: { platform: 'dev', userId: 'u1' },
        text,
      });
    await say('调拨单审核不了');
    await say('转人工');
    clock.set(sh('2026-03-02T15:00'));
    const job = createTicketSlaJob({ store, outbox, config: base, calendar });
    expect((await job.run(clock.now())).sent).toBe(1);
    await store.delete('ticket-sla', 'T1'); // the mark never made it to disk
    expect((await job.run(clock.now())).sent).toBe(0);
    const breaches = queued.filter((i) => i.dedupeKey === 'ticket:T1:breach');
    expect(breaches).toHaveLength(1);
    expect(breaches[0].to).toMatchObject({ platform: 'dev', userId: 'lead' });
  });

  it('slots are every minute in (from, to]', () => {
    const job = createTicketSlaJob({
      store: new MemoryStore(),
      outbox: { enqueue: async () => ({ queued: 0, skipped: 0 }) },
      config: base,
      calendar: createWorkCalendar(),
    });
    const t0 = sh('2026-03-02T10:00');
    expect(job.slots(t0, t0 + 3 * 60_000)).toEqual([t0 + 60_000, t0 + 120_000, t0 + 180_000]);
    expect(job.slots(t0 + 30_000, t0 + 90_000)).toEqual([t0 + 60_000]);
    expect(job.slots(t0, t0 + 59_999)).toEqual([]);
  });
});
