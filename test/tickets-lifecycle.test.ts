import { afterEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { type Ticket, type TicketSettings, ticketSettings } from '../src/tickets/model.ts';
import { listTickets } from '../src/tickets/repo.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

/** Shanghai wall time → ms. */
const sh = (s: string) => Date.parse(`${s}+08:00`);

const settings = (over: Partial<Parameters<typeof ticketSettings>[0]> = {}): TicketSettings =>
  ticketSettings(
    {
      TICKET_HANDLERS: ['dev:it1'],
      TICKET_LEAD: 'dev:lead',
      TICKET_VENDOR: '原厂热线 400-800-1234',
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

async function setup(s = settings(), at = '2026-03-02T10:00') {
  const clock = new ManualClock(sh(at));
  h = await createHarness({
    features: [
      createTicketFeature({ settings: s, categorize: (q) => (q.includes('打印') ? '打印' : undefined) }),
    ],
    clock,
  });
  const job = createTicketSlaJob({ store: h.store, outbox: h.outbox, settings: s });
  return { h, clock, job };
}

const ticket = async (hh: Harness, id = 'T1') =>
  (await listTickets(hh.store)).find((t) => t.id === id) as Ticket;
const texts = async (hh: Harness, user: string) => (await hh.pushed(user)).map((r) => r.text);

describe('ticket life cycle through the bot (dev platform, manual clock)', () => {
  it('create → 75 % reminder → breach nudge once → reply relayed → answer back → resolve → confirm', async () => {
    const { h, clock, job } = await setup();
    await h.say('u1', '打印单据的时候一直转圈');
    const [created] = await h.say('u1', '转人工');
    // Mon 10:00 + 4 working hours = 15:00 (lunch excluded)
    expect(created.text).toContain('T1');
    expect(created.text).toContain('IT 同事会在 4 个工作小时内回复您');
    expect(created.text).toContain('3月2日 15:00');

    const [posted] = await h.pushed('it1');
    expect(posted.text).toContain('T1');
    expect(posted.text).toContain('打印单据的时候一直转圈');
    expect(posted.text).toContain('打印');
    expect(posted.buttons?.map((b) => b.label)).toEqual(['认领', '回复', '解决', '升级']);
    expect(posted.buttons?.map((b) => b.value)).toEqual([
      'ticket:claim:T1',
      'ticket:reply:T1',
      'ticket:resolve:T1',
      'ticket:escalate:T1',
    ]);
    const tk = await ticket(h);
    expect(tk).toMatchObject({
      requester: 'dev:u1',
      status: 'open',
      level: 2,
      category: '打印',
      question: '打印单据的时候一直转圈',
    });
    expect(tk.history.map((x) => x.text)).toContain('打印单据的时候一直转圈');
    expect(tk.remindAt).toBe(sh('2026-03-02T14:00'));
    expect(tk.dueAt).toBe(sh('2026-03-02T15:00'));

    // 75 % of the budget: 14:00
    clock.set(sh('2026-03-02T13:59'));
    expect((await job.run(clock.now())).sent).toBe(0);
    clock.set(sh('2026-03-02T14:00'));
    expect((await job.run(clock.now())).sent).toBe(1);
    expect((await job.run(clock.now())).sent).toBe(0);
    const it1 = await texts(h, 'it1');
    expect(it1).toHaveLength(2);
    expect(it1[1]).toContain('⏰');
    expect(it1[1]).toContain('3月2日 15:00');
    expect(await h.pushed('lead')).toHaveLength(0);

    // deadline: breach nudge to the lead, once
    clock.set(sh('2026-03-02T15:00'));
    expect((await job.run(clock.now())).sent).toBe(1);
    clock.advance(60_000);
    expect((await job.run(clock.now())).sent).toBe(0);
    const lead = await texts(h, 'lead');
    expect(lead).toHaveLength(1);
    expect(lead[0]).toContain('T1');
    expect(lead[0]).toContain('4 个工作小时');
    expect((await ticket(h)).breachedAt).toBe(sh('2026-03-02T15:00'));

    // the handler replies with the button, then types the reply
    clock.set(sh('2026-03-02T15:10'));
    const [prompt] = await h.click('it1', 'ticket:reply:T1');
    expect(prompt.text).toContain('T1');
    const [sent] = await h.say('it1', '请先清空浏览器缓存再试');
    expect(sent.text).toContain('已转给提问人');
    const u1 = await texts(h, 'u1');
    expect(u1.at(-1)).toContain('请先清空浏览器缓存再试');
    expect((await ticket(h)).firstResponseAt).toBe(sh('2026-03-02T15:10'));

    // the relayed reply carries 回复; tapping it sends the requester's next message to the handler
    expect((await h.pushed('u1')).at(-1)?.buttons).toEqual([{ label: '回复', value: 'ticket:answer:T1' }]);
    await h.click('u1', 'ticket:answer:T1');
    const [passed] = await h.say('u1', '清了，还是不行');
    expect(passed.text).toContain('已转给 IT 同事');
    expect((await texts(h, 'it1')).at(-1)).toContain('清了，还是不行');
    // … and only that one message: the next one is not captured
    const [helpReply] = await h.say('u1', '你好');
    expect(helpReply.text).not.toContain('已转给');

    // `回复 T1 …` as text works too
    await h.say('it1', '回复 T1 已远程处理，请再试一次');
    expect((await texts(h, 'u1')).at(-1)).toContain('已远程处理，请再试一次');

    // resolve → the requester is asked to confirm
    const [resolved] = await h.click('it1', 'ticket:resolve:T1');
    expect(resolved.text).toContain('等提问人确认');
    const ask = (await h.pushed('u1')).at(-1)!;
    expect(ask.text).toContain('T1');
    expect(ask.buttons).toEqual([
      { label: '已解决', value: 'ticket:confirm:T1' },
      { label: '未解决', value: 'ticket:reopen:T1' },
    ]);
    expect((await ticket(h)).status).toBe('resolved');
    const [thanks] = await h.click('u1', 'ticket:confirm:T1');
    expect(thanks.text).toContain('已关闭');
    const done = await ticket(h);
    expect(done.status).toBe('closed');
    expect(done.handler).toBe('dev:it1');
    expect(done.events.map((e) => e.type)).toEqual([
      'created',
      'reminded',
      'breached',
      'replied',
      'answered',
      'replied',
      'resolved',
      'confirmed',
    ]);
    // nothing more to nudge
    clock.advance(24 * 3_600_000);
    expect((await job.run(clock.now())).sent).toBe(0);
  });

  it('a first reply within the budget stops the clock: no reminder, no breach', async () => {
    const { h, clock, job } = await setup();
    await h.say('u1', '报销单提交不了');
    await h.say('u1', '转人工');
    clock.set(sh('2026-03-02T11:00'));
    await h.click('it1', 'ticket:claim:T1');
    // claiming tells the requester but is not a response
    expect((await texts(h, 'u1')).at(-1)).toContain('已接手');
    await h.say('it1', '回复 T1 请把报错截图发我');
    clock.set(sh('2026-03-03T12:00'));
    expect((await job.run(clock.now())).sent).toBe(0);
    expect(await h.pushed('lead')).toHaveLength(0);
    expect((await ticket(h)).breachedAt).toBeUndefined();
  });

  it('转人工 with no question on record asks for one, then opens the ticket with it', async () => {
    const { h } = await setup();
    const [ask] = await h.say('u1', '转人工');
    expect(ask.text).toContain('描述');
    expect(await listTickets(h.store)).toHaveLength(0);
    const [created] = await h.say('u1', '扫码枪扫不出来');
    expect(created.text).toContain('T1');
    expect((await ticket(h)).question).toBe('扫码枪扫不出来');
    // cancel path
    await h.say('u2', 'human');
    const [bye] = await h.say('u2', '取消');
    expect(bye.text).toContain('已取消');
    expect(await listTickets(h.store)).toHaveLength(1);
  });

  it('the FAQ button ticket:open opens at once with the last question; ids count up', async () => {
    const { h } = await setup();
    await h.say('u1', '盘点差异怎么处理');
    const [a] = await h.click('u1', 'ticket:open');
    expect(a.text).toContain('T1');
    await h.say('u2', '发票抬头打错了');
    const [b] = await h.click('u2', 'ticket:open');
    expect(b.text).toContain('T2');
    expect((await ticket(h, 'T2')).question).toBe('发票抬头打错了');
  });

  it('a second 转人工 for the same question does not open a second ticket', async () => {
    const { h } = await setup();
    await h.say('u1', '盘点差异怎么处理');
    await h.click('u1', 'ticket:open');
    const [again] = await h.click('u1', 'ticket:open');
    expect(again.text).toContain('已经在工单 T1 里');
    expect(await listTickets(h.store)).toHaveLength(1);
    expect(await h.pushed('it1')).toHaveLength(1);
  });

  it('the requester’s answer-back binding expires: two days later their message is not relayed', async () => {
    const { h, clock } = await setup();
    await h.say('u1', '审批流程卡在财务');
    await h.say('u1', '转人工');
    await h.say('it1', '回复 T1 请问是哪张单据？');
    clock.advance(3 * 24 * 3_600_000);
    const [r] = await h.say('u1', '另外想问下考勤怎么导出');
    expect(r.text).not.toContain('已转给');
    expect((await texts(h, 'it1')).some((x) => x.includes('考勤'))).toBe(false);
  });

  it('未解决 reopens the ticket and the handler hears of it', async () => {
    const { h } = await setup();
    await h.say('u1', '手机收不到审批通知');
    await h.say('u1', '转人工');
    await h.say('it1', '解决 T1');
    // typed 2 on a text-only platform means 未解决
    const [ack] = await h.say('u1', '2');
    expect(ack.text).toContain('重新打开');
    expect(ack.buttons).toEqual([{ label: '回复', value: 'ticket:answer:T1' }]);
    expect((await ticket(h)).status).toBe('claimed');
    expect((await texts(h, 'it1')).at(-1)).toContain('还没解决');
  });

  it('only handlers may claim, resolve or escalate; others get a polite refusal', async () => {
    const { h } = await setup();
    await h.say('u1', '库存数量对不上');
    await h.say('u1', '转人工');
    for (const [user, value] of [
      ['u2', 'ticket:claim:T1'],
      ['u1', 'ticket:resolve:T1'],
      ['u2', 'ticket:escalate:T1'],
    ]) {
      const [r] = await h.click(user, value);
      expect(r.text).toContain('只有 IT 支持同事可以处理工单');
    }
    const [typed] = await h.say('u2', '解决 T1');
    expect(typed.text).toContain('只有 IT 支持同事');
    const [notYours] = await h.say('u2', '回复 T1 我也遇到了');
    expect(notYours.text).toContain('不是您提交的');
    expect(await h.pushed('u1')).toHaveLength(0);
    const tk = await ticket(h);
    expect(tk.status).toBe('open');
    expect(tk.handler).toBeUndefined();
    const [missing] = await h.click('it1', 'ticket:claim:T9');
    expect(missing.text).toContain('没有找到工单 T9');
  });

  it('升级 moves the ticket to level three with the history; the requester is told', async () => {
    const { h } = await setup();
    await h.say('u1', '结账时报错 E1023');
    await h.say('u1', '转人工');
    const [r] = await h.click('it1', 'ticket:escalate:T1');
    expect(r.text).toContain('三级支持');
    expect(r.text).toContain('原厂热线 400-800-1234');
    expect(r.text).toContain('结账时报错 E1023');
    expect((await texts(h, 'u1')).at(-1)).toContain('原厂');
    expect(await ticket(h)).toMatchObject({ status: 'escalated', level: 3, handler: 'dev:it1' });
  });

  it('升级 to a vendor user key pushes the ticket and its history to the vendor', async () => {
    const { h } = await setup(settings({ TICKET_VENDOR: 'dev:vendor' }));
    await h.say('u1', '结账时报错 E1023');
    await h.say('u1', '转人工');
    await h.say('it1', '回复 T1 我们先看一下');
    await h.say('it1', '升级 T1');
    const [v] = await texts(h, 'vendor');
    expect(v).toContain('T1');
    expect(v).toContain('结账时报错 E1023');
    expect(v).toContain('我们先看一下');
  });

  it('English-speaking requesters get English texts', async () => {
    const { h } = await setup(settings({ TICKET_SLA_CALENDAR: 'natural' }));
    await h.say('u1', 'cannot print the delivery note', { locale: 'en' });
    const [r] = await h.say('u1', 'human', { locale: 'en' });
    expect(r.text).toContain('IT staff will reply within 4 hours');
    expect(r.text).toContain('Mar 2, 14:00');
  });

  it('without any handler configured it still opens the ticket, promising no reply time', async () => {
    const { h } = await setup(settings({ TICKET_HANDLERS: [], TICKET_LEAD: undefined }));
    await h.say('u1', '密码忘了');
    const [r] = await h.say('u1', '转人工');
    expect(r.text).toMatch(/已为您创建工单 T\d+/);
    expect(r.text).not.toMatch(/工作小时内回复/);
    const tickets = await listTickets(h.store);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ requester: 'dev:u1', question: '密码忘了', status: 'open' });
  });
});
