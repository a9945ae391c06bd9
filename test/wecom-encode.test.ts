import { describe, expect, it } from 'vitest';
import {
  CARD_LIMITS,
  encodeWecomMessage,
  taskIdFor,
  type WecomSendBody,
  type WecomTextBody,
} from '../adapters/wecom/encode.ts';
import type { Address, Button } from '../src/index.ts';
import { PlatformApiError } from '../src/index.ts';

const to: Address = { platform: 'wecom', userId: 'zhangsan', chatType: 'direct' };
const opts = { agentId: 1000002, taskId: taskIdFor('reply:wecom:7300000000000000001:0') };
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const textOf = (b: WecomSendBody) => (b as WecomTextBody).text.content;

const types: Button[] = [
  { label: '生产型', value: 'survey:company_type:manufacturing' },
  { label: '商贸型', value: 'survey:company_type:trade' },
  { label: '服务业', value: 'survey:company_type:services' },
];

describe('encodeWecomMessage: text', () => {
  it('sends "汉"×1500 + "END" (4,503 bytes) as 3 texts of ≤ 2,048 bytes, in order, split on characters', () => {
    const text = `${'汉'.repeat(1500)}END`;
    expect(bytes(text)).toBe(4503);
    const out = encodeWecomMessage(to, { text }, opts);
    expect(out).toHaveLength(3);
    for (const b of out) {
      expect(b).toMatchObject({ touser: 'zhangsan', msgtype: 'text', agentid: 1000002 });
      expect(bytes(textOf(b))).toBeLessThanOrEqual(2048);
      expect(textOf(b)).not.toContain('\uFFFD');
    }
    expect(out.map(textOf).join('')).toBe(text);
    expect(textOf(out[2]).endsWith('END')).toBe(true);
  });

  it('renders markdown as WeCom plain text: no literal **, link as "label url"', () => {
    const [body] = encodeWecomMessage(
      to,
      { text: '**密码重置**……详见[帮助中心](https://example.com/help)' },
      opts,
    );
    expect(textOf(body)).toBe('密码重置……详见帮助中心 https://example.com/help');
    expect(textOf(body)).not.toContain('**');
  });

  it('never cuts an emoji', () => {
    const text = '👍🏽'.repeat(600); // 8 bytes each
    const out = encodeWecomMessage(to, { text }, opts);
    expect(out.map(textOf).join('')).toBe(text);
    for (const b of out) expect(textOf(b).length % 4).toBe(0);
  });

  it('refuses an address without a member (not retryable)', () => {
    const call = () => encodeWecomMessage({ platform: 'wecom', chatId: 'wr1' }, { text: 'x' }, opts);
    expect(call).toThrow(PlatformApiError);
    try {
      call();
    } catch (e) {
      expect((e as PlatformApiError).retryable).toBe(false);
    }
  });
});

describe('encodeWecomMessage: buttons', () => {
  it('renders up to 6 buttons as a button_interaction template_card keyed by the button values', () => {
    const [body] = encodeWecomMessage(to, { text: '(1/12) 贵公司属于哪种类型？', buttons: types }, opts);
    expect(body).toEqual({
      touser: 'zhangsan',
      msgtype: 'template_card',
      agentid: 1000002,
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '(1/12) 贵公司属于哪种类型？' },
        task_id: opts.taskId,
        button_list: [
          { text: '生产型', style: 1, key: 'survey:company_type:manufacturing' },
          { text: '商贸型', style: 1, key: 'survey:company_type:trade' },
          { text: '服务业', style: 1, key: 'survey:company_type:services' },
        ],
      },
    });
  });

  it('uses the title when given and the (plain) text as sub_title_text', () => {
    const [body] = encodeWecomMessage(
      to,
      { title: '需求诊断', text: '**第一题**\n贵公司属于哪种类型？', buttons: types },
      opts,
    );
    expect(body.msgtype).toBe('template_card');
    if (body.msgtype !== 'template_card') return;
    expect(body.template_card.main_title.title).toBe('需求诊断');
    expect(body.template_card.sub_title_text).toBe('第一题\n贵公司属于哪种类型？');
  });

  it('takes the first line as title and the rest as sub_title_text', () => {
    const [body] = encodeWecomMessage(to, { text: '(2/12) 员工人数？\n请选择区间', buttons: types }, opts);
    if (body.msgtype !== 'template_card') throw new Error('expected a card');
    expect(body.template_card.main_title.title).toBe('(2/12) 员工人数？');
    expect(body.template_card.sub_title_text).toBe('请选择区间');
  });

  it('keeps the title within its limit when the first line is long, showing the whole text below', () => {
    const first = '您好，这是「信息化需求诊断」调研，共约 12 题，约 5 分钟。随时回复「取消」可暂停。';
    const [body] = encodeWecomMessage(
      to,
      { text: `${first}\n(1/12) 贵公司属于哪种类型？`, buttons: types },
      opts,
    );
    if (body.msgtype !== 'template_card') throw new Error('expected a card');
    expect([...body.template_card.main_title.title].length).toBeLessThanOrEqual(CARD_LIMITS.titleChars);
    expect(body.template_card.sub_title_text).toBe(`${first}\n(1/12) 贵公司属于哪种类型？`);
  });

  it('falls back to numbered text for more than 6 buttons', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ label: `选项${i + 1}`, value: `f:v${i + 1}` }));
    const out = encodeWecomMessage(to, { text: '您现在用哪些工具？', buttons: many }, opts);
    expect(out).toHaveLength(1);
    expect(out[0].msgtype).toBe('text');
    const text = textOf(out[0]);
    expect(text.startsWith('您现在用哪些工具？\n\n1. 选项1\n2. 选项2')).toBe(true);
    expect(text).toContain('7. 选项7');
    expect(text.endsWith('回复数字或选项名称')).toBe(true);
  });

  it('falls back to one-line numbered text when the text is too long for the card', () => {
    const long = `${'请仔细阅读以下说明。'.repeat(20)}\n贵公司属于哪种类型？`;
    const [body] = encodeWecomMessage(to, { text: long, buttons: types }, opts);
    expect(textOf(body)).toBe(`${long}\n\n1. 生产型  2. 商贸型  3. 服务业\n回复数字或选项名称`);
  });

  it('falls back when a label is too wide for a button, or values repeat', () => {
    const wide = [{ label: '纸质单据与手工台账记录', value: 'a' }, ...types];
    expect(encodeWecomMessage(to, { text: 'q', buttons: wide }, opts)[0].msgtype).toBe('text');
    const dup = [types[0], { ...types[1], value: types[0].value }];
    expect(encodeWecomMessage(to, { text: 'q', buttons: dup }, opts)[0].msgtype).toBe('text');
  });

  it('writes the hint in English when asked', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ label: `O${i}`, value: `v${i}` }));
    const [body] = encodeWecomMessage(to, { text: 'Pick one', buttons: many }, { ...opts, locale: 'en' });
    expect(textOf(body).endsWith('Reply with a number or the option name')).toBe(true);
  });
});

describe('taskIdFor', () => {
  it('is stable per idempotency key, distinct across keys, and within WeCom charset/length', () => {
    const a = taskIdFor('reply:wecom:1:0');
    expect(taskIdFor('reply:wecom:1:0')).toBe(a);
    expect(taskIdFor('reply:wecom:1:1')).not.toBe(a);
    expect(a).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
  });
});

describe('encodeWecomMessage: duplicate check for pushes', () => {
  it('asks WeCom to drop a repeated push text (30 min), never for replies or cards', () => {
    const [push] = encodeWecomMessage(to, { text: '今日微课：盘点' }, { ...opts, duplicateCheck: true });
    expect(push).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 1800 });
    const [reply] = encodeWecomMessage(to, { text: '请回复数字' }, opts);
    expect(reply).not.toHaveProperty('enable_duplicate_check');
    const [card] = encodeWecomMessage(
      to,
      { text: '选择类型', buttons: types },
      { ...opts, duplicateCheck: true },
    );
    expect(card.msgtype).toBe('template_card');
    expect(card).not.toHaveProperty('enable_duplicate_check');
  });
});

describe('encodeWecomMessage: card title', () => {
  it('titles the card with the question above the options, not the welcome line before it', () => {
    const text =
      '您好！这是「信息化需求诊断」调研，共约 12 题，约 5 分钟。\n(1/12) 贵公司属于哪种类型？\n1. 生产型\n2. 商贸型\n3. 服务业\n回复数字或选项名称';
    const [card] = encodeWecomMessage(to, { text, buttons: types }, opts);
    expect(card.msgtype).toBe('template_card');
    const tc = (card as { template_card: { main_title: { title: string }; sub_title_text?: string } })
      .template_card;
    expect(tc.main_title.title).toBe('(1/12) 贵公司属于哪种类型？');
    expect(tc.sub_title_text).toContain('您好！这是「信息化需求诊断」调研');
    expect(tc.sub_title_text).not.toContain('贵公司属于哪种类型');
  });
});

describe('encodeWecomMessage: short first lines become whole card titles', () => {
  it('a role question and a quiz verdict are titled by their first line, uncut', () => {
    const role = encodeWecomMessage(
      to,
      {
        text: '请选择您的岗位角色\n您好，为了给您推送合适的操作微课，请点按钮，或回复角色名称：',
        buttons: [
          { label: '仓库管理员', value: 'roster:role:仓库管理员' },
          { label: '财务', value: 'roster:role:财务' },
        ],
      },
      opts,
    )[0] as { template_card: { main_title: { title: string } } };
    expect(role.template_card.main_title.title).toBe('请选择您的岗位角色');
    const verdict = encodeWecomMessage(
      to,
      {
        text: '✅ 回答正确。\n只有提交后的入库单才会更新库存。',
        buttons: [{ label: '下一课', value: 'lessons:next' }],
      },
      opts,
    )[0] as { template_card: { main_title: { title: string } } };
    expect(verdict.template_card.main_title.title).toBe('✅ 回答正确。');
  });
});
