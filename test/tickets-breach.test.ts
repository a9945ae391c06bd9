// Regression: the SLA breach nudge to the lead used the requester's wording
// ("IT 同事会在 4 个工作小时内回复您"). It must read as a report to the lead.
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { type TicketSettings, ticketSettings } from '../src/tickets/model.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const sh = (s: string) => Date.parse(`${s}+08:00`);
const settings = (over: Partial<Parameters<typeof ticketSettings>[0]> = {}): TicketSettings =>
  ticketSettings(
    {
      TICKET_HANDLERS: ['dev:it1', 'dev:it2'],
      TICKET_LEAD: 'dev:lead',
      TICKET_VENDOR: undefined,
      TICKET_SLA_HOURS: 4,
      TICKET_SLA_CALENDAR: 'working',
      WORK_HOURS: '09:00-12:00,13:00-18:00',
      BOT_TIMEZONE: 'Asia/Shanghai',
      ...over,
    },
    createWorkCalendar(),
  );

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** u1 (张三) opens T1 on Mon 10:00; returns the SLA job and the clock. */
async function open(s: TicketSettings) {
  const clock = new ManualClock(sh('2026-03-02T10:00'));
  h = await createHarness({ features: [createTicketFeature({ settings: s })], clock });
  await h.store.put('roster', 'dev:it1', { userId: 'dev:it1', name: '李工', roles: [] });
  await h.say('u1', '扫码入库后库存没变');
  await h.say('u1', '转人工');
  return { h, clock, job: createTicketSlaJob({ store: h.store, outbox: h.outbox, settings: s }) };
}

describe('the breach nudge is written for the lead', () => {
  it('zh-CN: which ticket, who asked what since when, the budget, the handlers; handler buttons', async () => {
    const { h, clock, job } = await open(settings());
    clock.set(sh('2026-03-02T15:00'));
    expect((await job.run(clock.now())).sent).toBe(1);
    const [nudge] = await h.pushed('lead');
    expect(nudge.text).not.toContain('回复您');
    expect(nudge.text).toBe(
      [
        '⚠️ 工单 T1 超时未回复：首次回复时限 4 个工作小时，截止 3月2日 15:00，提问人还没有收到回复。',
        '提问人：dev:u1',
        '问题：扫码入库后库存没变',
        '提交时间：3月2日 10:00',
        '处理人：未认领；已通知 李工（dev:it1）、dev:it2',
      ].join('\n'),
    );
    expect(nudge.buttons?.map((b) => `${b.label} ${b.value}`)).toEqual([
      '认领 ticket:claim:T1',
      '回复 ticket:reply:T1',
      '解决 ticket:resolve:T1',
      '升级 ticket:escalate:T1',
    ]);
    // the lead can act on it: the buttons are the handlers'
    const [claimed] = await h.click('lead', 'ticket:claim:T1');
    expect(claimed.text).toContain('已认领工单 T1');
  });

  it('a claimed ticket names its handler and offers what the handler has (no 认领)', async () => {
    const { h, clock, job } = await open(settings());
    await h.click('it1', 'ticket:claim:T1');
    clock.set(sh('2026-03-02T15:00'));
    await job.run(clock.now());
    const [nudge] = await h.pushed('lead');
    expect(nudge.text).toContain('处理人：李工（dev:it1）（已认领）');
    expect(nudge.buttons?.map((b) => b.value)).toEqual([
      'ticket:reply:T1',
      'ticket:resolve:T1',
      'ticket:escalate:T1',
    ]);
  });

  it('en, natural hours', async () => {
    const { h, clock, job } = await open(settings({ TICKET_SLA_CALENDAR: 'natural' }));
    await h.store.put('sessions', 'dev:lead', { userKey: 'dev:lead', locale: 'en', updatedAt: 0 });
    clock.set(sh('2026-03-02T14:00'));
    await job.run(clock.now());
    const [nudge] = await h.pushed('lead');
    expect(nudge.text).toBe(
      [
        '⚠️ Ticket T1 missed its first-reply deadline: 4 hours, due Mar 2, 14:00; the requester has had no reply yet.',
        'From: dev:u1',
        'Question: 扫码入库后库存没变',
        'Opened: Mar 2, 10:00',
        'Handlers: unclaimed; notified 李工 (dev:it1), dev:it2',
      ].join('\n'),
    );
    expect(nudge.buttons?.map((b) => b.label)).toEqual(['Claim', 'Reply', 'Resolve', 'Escalate']);
  });
});
