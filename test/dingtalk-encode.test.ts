import { describe, expect, it } from 'vitest';
import {
  buildCardData,
  buttonActionId,
  cardBizIdFor,
  localeOf,
  parseButtonActionId,
  render,
  toRobotMsg,
  toWebhookMsg,
} from '../adapters/dingtalk/encode.ts';

const FAQ = '**密码重置**……详见[帮助中心](https://example.com/help)';
const choice = {
  text: '(1/12) 贵公司属于哪种类型？',
  buttons: [
    { label: '生产型', value: 'survey:q1:manufacturing' },
    { label: '商贸型', value: 'survey:q1:trade' },
  ],
};

describe('render', () => {
  it('keeps DingTalk markdown unchanged (bold and links) and sends it as markdown', () => {
    const r = render({ text: FAQ });
    expect(r.kind).toBe('markdown');
    expect(r.text).toBe(FAQ);
    expect(r.title).toBe('密码重置……详见帮助中心');
    expect(toRobotMsg(r)).toEqual({
      msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify({ title: r.title, text: FAQ }),
    });
    expect(toWebhookMsg(r)).toEqual({ msgtype: 'markdown', markdown: { title: r.title, text: FAQ } });
  });

  it('plain text goes as sampleText / text, line breaks intact', () => {
    const r = render({ text: '您好！\n第二行' });
    expect(toRobotMsg(r)).toEqual({
      msgKey: 'sampleText',
      msgParam: JSON.stringify({ content: '您好！\n第二行' }),
    });
    expect(toWebhookMsg(r)).toEqual({ msgtype: 'text', text: { content: '您好！\n第二行' } });
  });

  it('buttons without a card become numbered text with the hint, in the message’s language', () => {
    expect(render(choice).text).toBe('(1/12) 贵公司属于哪种类型？\n1. 生产型  2. 商贸型\n回复数字或选项名称');
    const en = render({
      text: 'Was this helpful?',
      buttons: [
        { label: 'Yes', value: 'faq:y' },
        { label: 'No', value: 'faq:n' },
      ],
    });
    expect(en.text).toBe('Was this helpful?\n1. Yes  2. No\nReply with a number or the option name');
  });

  it('does not number choices twice when the text already lists them (survey questions do)', () => {
    const text = '(1/13) 贵公司属于哪种类型？\n1. 生产型  2. 商贸型\n回复数字或选项名称';
    expect(render({ text, buttons: choice.buttons }).text).toBe(text);
    const partly = '先选：\n1. 生产型';
    expect(render({ text: partly, buttons: choice.buttons }).text).toBe(
      `${partly}\n1. 生产型  2. 商贸型\n回复数字或选项名称`,
    );
  });

  it('many or long options go one per line', () => {
    const buttons = ['入库单是否已提交', '重新扫一次', '找IT同事处理一下'].map((label, i) => ({
      label,
      value: `q:${i}`,
    }));
    expect(render({ text: '先检查什么？', buttons }).text).toBe(
      '先检查什么？\n1. 入库单是否已提交\n2. 重新扫一次\n3. 找IT同事处理一下\n回复数字或选项名称',
    );
  });

  it('a title heads the text and names the notification', () => {
    const r = render({ title: '今日微课', text: '场景：月底盘点' });
    expect(r).toEqual({ kind: 'text', title: '今日微课', text: '今日微课\n场景：月底盘点' });
    const md = render({ title: '今日微课', text: '**盘点**' });
    expect(md.text).toBe('**今日微课**\n\n**盘点**');
  });

  it('cuts long titles on grapheme boundaries', () => {
    const r = render({ text: `${'👨‍👩‍👧'.repeat(25)}` });
    expect(r.title.endsWith('…')).toBe(true);
    expect(r.title).toBe(`${'👨‍👩‍👧'.repeat(19)}…`);
  });
});

describe('cards', () => {
  it('button ids round-trip any value', () => {
    for (const v of ['survey:q1:manufacturing', '中文:值', 'a b/c?d=e&f', '']) {
      const id = buttonActionId(v);
      expect(id).toMatch(/^btn_[0-9a-f]*$/);
      if (v) expect(parseButtonActionId(id)).toBe(v);
    }
    expect(parseButtonActionId('button_1646816888257')).toBeUndefined();
  });

  it('cardBizId is stable per idempotency key and differs between keys', () => {
    expect(cardBizIdFor('reply:dingtalk:m1:0')).toBe(cardBizIdFor('reply:dingtalk:m1:0'));
    expect(cardBizIdFor('reply:dingtalk:m1:0')).not.toBe(cardBizIdFor('reply:dingtalk:m1:1'));
    expect(cardBizIdFor('x')).toMatch(/^rb[0-9a-f]{32}$/);
  });

  it('StandardCard: markdown body and one request button per choice', () => {
    const card = JSON.parse(buildCardData(choice, 'StandardCard'));
    expect(card.header.title.text).toBe('(1/12) 贵公司属于哪种类型？');
    expect(card.contents[0]).toMatchObject({ type: 'markdown', text: choice.text });
    const actions = card.contents[1].actions;
    expect(actions.map((a: { label: { text: string } }) => a.label.text)).toEqual(['生产型', '商贸型']);
    expect(actions.every((a: { actionType: string }) => a.actionType === 'request')).toBe(true);
    expect(actions.map((a: { id: string }) => parseButtonActionId(a.id))).toEqual([
      'survey:q1:manufacturing',
      'survey:q1:trade',
    ]);
  });

  it('a custom template gets cardParamMap with title, content and buttons', () => {
    const card = JSON.parse(buildCardData(choice, 'tpl-123.schema'));
    expect(card.cardParamMap.title).toBe('(1/12) 贵公司属于哪种类型？');
    expect(card.cardParamMap.content).toBe(choice.text);
    expect(JSON.parse(card.cardParamMap.buttons)).toEqual([
      { text: '生产型', value: 'survey:q1:manufacturing', id: buttonActionId('survey:q1:manufacturing') },
      { text: '商贸型', value: 'survey:q1:trade', id: buttonActionId('survey:q1:trade') },
    ]);
  });
});

describe('localeOf', () => {
  it('zh-CN for Chinese or no letters, en for Latin-only', () => {
    expect(localeOf('您好 hello')).toBe('zh-CN');
    expect(localeOf('123')).toBe('zh-CN');
    expect(localeOf('Hello')).toBe('en');
  });
});
