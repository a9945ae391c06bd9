// Regression: while a ticket was open, EVERY requester message was relayed to IT, so the FAQ
// stopped answering them. Now only the 回复 button (or its number / `回复 T1 …`) binds one message.
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { type Feature, handled, pass } from '../src/core/feature.ts';
import { ManualClock } from '../src/core/types.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { type TicketSettings, ticketSettings } from '../src/tickets/model.ts';
import { listTickets } from '../src/tickets/repo.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const sh = (s: string) => Date.parse(`${s}+08:00`);
const settings: TicketSettings = ticketSettings(
  {
    TICKET_HANDLERS: ['dev:it1'],
    TICKET_LEAD: 'dev:lead',
    TICKET_VENDOR: undefined,
    TICKET_SLA_HOURS: 4,
    TICKET_SLA_CALENDAR: 'working',
    WORK_HOURS: '09:00-12:00,13:00-18:00',
    BOT_TIMEZONE: 'Asia/Shanghai',
  },
  createWorkCalendar(),
);

/** Stands in for the FAQ (last feature): answers any free text it is given. */
const faq: Feature = {
  name: 'faq',
  async handle(stage, input) {
    if (stage !== 'message' || input.kind !== 'text') return pass;
    return handled({ text: `FAQ：${input.text}` });
  },
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** u1 opens T1 and it1 replies: the requester has a relayed reply with a 回复 button. */
async function replied() {
  const clock = new ManualClock(sh('2026-03-02T10:00'));
  h = await createHarness({ features: [createTicketFeature({ settings }), faq], clock });
  await h.say('u1', '报表导出是空白的');
  await h.say('u1', '转人工');
  await h.say('it1', '回复 T1 请问是哪张报表？');
  return h;
}
const toIt = async (hh: Harness) => (await hh.pushed('it1')).map((r) => r.text);

describe('the requester talks to IT only through 回复', () => {
  it('the relayed reply carries 回复 = ticket:answer:T1; other text goes on to the FAQ', async () => {
    const h = await replied();
    const relayed = (await h.pushed('u1')).at(-1)!;
    expect(relayed.text).toContain('请问是哪张报表？');
    expect(relayed.text).toContain('回复 T1');
    expect(relayed.buttons).toEqual([{ label: '回复', value: 'ticket:answer:T1' }]);
    const before = (await toIt(h)).length;
    const [r] = await h.say('u1', '密码忘了怎么办');
    expect(r.text).toBe('FAQ：密码忘了怎么办');
    expect(await toIt(h)).toHaveLength(before);
    expect((await listTickets(h.store))[0].events.map((e) => e.type)).not.toContain('answered');
  });

  it('tapping 回复 sends exactly the next message to the handler', async () => {
    const h = await replied();
    const [prompt] = await h.click('u1', 'ticket:answer:T1');
    expect(prompt.text).toContain('T1');
    expect(prompt.text).toContain('取消');
    const [sent] = await h.say('u1', '销售日报');
    expect(sent.text).toContain('已转给 IT 同事（工单 T1）');
    const last = (await h.pushed('it1')).at(-1)!;
    expect(last.text).toContain('销售日报');
    expect(last.buttons?.map((b) => b.value)).toEqual(['ticket:reply:T1', 'ticket:resolve:T1']);
    const [next] = await h.say('u1', '发票怎么红冲');
    expect(next.text).toBe('FAQ：发票怎么红冲');
  });

  it('where buttons are text, typing its number 1 (or 回复) does the same', async () => {
    const h = await replied();
    const [prompt] = await h.say('u1', '１');
    expect(prompt.text).toContain('请发一条消息');
    await h.say('u1', '月度库存报表');
    expect((await toIt(h)).at(-1)).toContain('月度库存报表');
    await h.say('it1', '回复 T1 好的，我看一下');
    await h.say('u1', '回复');
    await h.say('u1', '谢谢');
    expect((await toIt(h)).at(-1)).toContain('谢谢');
  });

  it('typed `回复 T1 …` keeps working; 取消 in the 回复 flow relays nothing', async () => {
    const h = await replied();
    const [r] = await h.say('u1', '回复 T1 是采购报表');
    expect(r.text).toContain('已转给 IT 同事');
    expect((await toIt(h)).at(-1)).toContain('是采购报表');
    const n = (await toIt(h)).length;
    await h.click('u1', 'ticket:answer:T1');
    const [bye] = await h.say('u1', '取消');
    expect(bye.text).toContain('没有转给');
    expect(await toIt(h)).toHaveLength(n);
    const [faqAfter] = await h.say('u1', '怎么打印');
    expect(faqAfter.text).toBe('FAQ：怎么打印');
  });

  it('someone else cannot use the requester’s 回复', async () => {
    const h = await replied();
    const [r] = await h.click('u2', 'ticket:answer:T1');
    expect(r.text).toContain('不是您提交的');
    const [next] = await h.say('u2', '密码忘了怎么办');
    expect(next.text).toBe('FAQ：密码忘了怎么办');
  });

  it('已解决 / 未解决 still work by button and by number after a relayed reply', async () => {
    const h = await replied();
    await h.say('it1', '解决 T1');
    // typed 2 = 未解决 (the most recent question to the requester is the confirmation)
    const [ack] = await h.say('u1', '2');
    expect(ack.text).toContain('重新打开');
    expect((await listTickets(h.store))[0].status).toBe('claimed');
    // the ack offers 回复; typing 1 opens the one-message flow
    await h.say('u1', '1');
    await h.say('u1', '还是空白');
    expect((await toIt(h)).at(-1)).toContain('还是空白');
    await h.say('it1', '解决 T1');
    const [thanks] = await h.say('u1', '1');
    expect(thanks.text).toContain('已关闭');
    expect((await listTickets(h.store))[0].status).toBe('closed');
    // closed: its 回复 button is stale, and text goes to the FAQ
    const [stale] = await h.click('u1', 'ticket:answer:T1');
    expect(stale.text).toContain('已关闭');
    const [faqAfter] = await h.say('u1', '1');
    expect(faqAfter.text).toBe('FAQ：1');
  });

  it('confirms by button too', async () => {
    const h = await replied();
    await h.click('it1', 'ticket:resolve:T1');
    const [thanks] = await h.click('u1', 'ticket:confirm:T1');
    expect(thanks.text).toContain('已关闭');
  });
});
