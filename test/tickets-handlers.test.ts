import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../adapters/dev/index.ts';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Session } from '../src/core/feature.ts';
import { ManualClock } from '../src/core/types.ts';
import { tagCategorizer } from '../src/tickets/categorize.ts';
import { createTicketFeature, lastQuestion } from '../src/tickets/feature.ts';
import { parseHandler, ticketSettings } from '../src/tickets/model.ts';
import { listTickets } from '../src/tickets/repo.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const sh = (s: string) => Date.parse(`${s}+08:00`);
const settings = ticketSettings(
  {
    TICKET_HANDLERS: ['dev:group:itdesk'],
    TICKET_LEAD: undefined,
    TICKET_VENDOR: undefined,
    TICKET_SLA_HOURS: 4,
    TICKET_SLA_CALENDAR: 'working',
    WORK_HOURS: '09:00-12:00,13:00-18:00',
    BOT_TIMEZONE: 'Asia/Shanghai',
  },
  createWorkCalendar(),
);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('handler targets', () => {
  it('parses users and groups (`<platform>:group:<chatId>`)', () => {
    expect(parseHandler('wecom:lisi')).toEqual({
      kind: 'user',
      key: 'wecom:lisi',
      address: { platform: 'wecom', userId: 'lisi', chatType: 'direct' },
    });
    expect(parseHandler('dingtalk:group:cid123==')).toEqual({
      kind: 'group',
      key: 'dingtalk:group:cid123==',
      address: { platform: 'dingtalk', chatId: 'cid123==', chatType: 'group' },
    });
    expect(() => parseHandler('lisi')).toThrow();
  });

  it('a handler group gets the ticket; anyone acting from that group may claim it, not from a DM', async () => {
    const clock = new ManualClock(sh('2026-03-02T10:00'));
    h = await createHarness({ features: [createTicketFeature({ settings })], clock });
    await h.say('u1', '退货入库后库存没加回来');
    await h.say('u1', '转人工');
    const [posted] = await h.pushed('itdesk');
    expect(posted.text).toContain('T1');
    expect(posted.buttons?.[0]).toEqual({ label: '认领', value: 'ticket:claim:T1' });

    const [dm] = await h.click('zhang', 'ticket:claim:T1');
    expect(dm.text).toContain('只有 IT 支持同事');

    const r = await h.bot.dispatch({
      id: randomUUID(),
      platform: 'dev',
      userId: 'zhang',
      userName: '张工',
      group: true,
      address: { platform: 'dev', userId: 'zhang', chatId: 'itdesk', chatType: 'group' },
      action: 'ticket:claim:T1',
    });
    expect(r.status === 'done' && r.replies[0].text).toContain('已认领工单 T1');
    expect((await listTickets(h.store))[0]).toMatchObject({ status: 'claimed', handler: 'dev:zhang' });
    // the requester hears the handler's display name
    expect((await h.pushed('u1')).at(-1)?.text).toContain('张工已接手');

    // once claimed, reminders go to the claimer only; with no lead the breach goes to the claimer too
    const job = createTicketSlaJob({ store: h.store, outbox: h.outbox, settings });
    clock.set(sh('2026-03-02T15:00'));
    expect((await job.run(clock.now())).sent).toBe(1);
    const zhang: Reply[] = await h.pushed('zhang');
    expect(zhang.at(-1)?.text).toContain('⚠️');
    expect(zhang.at(-1)?.text).toContain('T1');
  });
});

describe('lastQuestion', () => {
  const session = (recent: Session['recent']): Session => ({
    userKey: 'dev:u1',
    locale: 'zh-CN',
    updatedAt: 0,
    recent,
  });
  const now = sh('2026-03-02T10:00');

  it('takes the latest user line that is a question, skipping commands, clicks and numbers', () => {
    const s = session([
      { at: now - 60_000, from: 'user', text: '发票怎么红冲' },
      { at: now - 60_000, from: 'bot', text: '这个问题我还不会。' },
      { at: now - 30_000, from: 'user', text: '[faq:down:x]' },
      { at: now - 20_000, from: 'user', text: '2' },
      { at: now - 10_000, from: 'user', text: '帮助' },
    ]);
    expect(lastQuestion(s, now)).toBe('发票怎么红冲');
  });

  it('ignores a question older than 30 minutes', () => {
    expect(
      lastQuestion(session([{ at: now - 31 * 60_000, from: 'user', text: '发票怎么红冲' }]), now),
    ).toBeUndefined();
  });
});

describe('SLA nudges respect quiet hours', () => {
  it('a natural-hours breach at 02:00 is held until 08:00 (outbox notBefore)', async () => {
    const natural = {
      ...settings,
      handlers: [parseHandler('dev:it1')],
      lead: 'dev:lead',
      sla: { ...settings.sla, mode: 'natural' as const },
    };
    const clock = new ManualClock(sh('2026-03-02T22:00'));
    h = await createHarness({ features: [createTicketFeature({ settings: natural })], clock });
    await h.say('u1', '仓库 PDA 连不上系统');
    await h.say('u1', '转人工');
    const queued: Array<{ notBefore?: number }> = [];
    const job = createTicketSlaJob({
      store: h.store,
      outbox: {
        async enqueue(items) {
          queued.push(...items);
          return { queued: items.length, skipped: 0 };
        },
      },
      settings: natural,
      quietHours: { start: '21:00', end: '08:00' },
    });
    clock.set(sh('2026-03-03T02:00'));
    expect((await job.run(clock.now())).sent).toBe(1);
    expect(queued[0].notBefore).toBe(sh('2026-03-03T08:00'));
  });
});

describe('tagCategorizer', () => {
  it('picks the tag with the highest summed score over the best three FAQ hits', () => {
    const hits = [
      { entry: { tags: ['仓库'] }, score: 5 },
      { entry: { tags: ['财务', '报销'] }, score: 4 },
      { entry: { tags: ['财务'] }, score: 3 },
      { entry: { tags: ['仓库'] }, score: 9 }, // beyond the top 3
    ];
    const categorize = tagCategorizer(() => ({ hits }));
    expect(categorize('发票')).toBe('财务');
    expect(tagCategorizer(() => ({ hits: [{ entry: {}, score: 1 }] }))('x')).toBeUndefined();
  });
});
