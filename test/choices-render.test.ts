import { describe, expect, it } from 'vitest';
import { render } from '../adapters/dingtalk/encode.ts';
import { encodeFeishuText } from '../adapters/feishu/encode.ts';
import { encodeMessage } from '../adapters/slack/encode.ts';
import { encodeWecomMessage } from '../adapters/wecom/encode.ts';
import type { OutgoingMessage } from '../src/index.ts';

// A lesson quiz as src/lessons/render.ts builds it: options in the text, buttons labelled
// `1. …` and shortened with `…`. No renderer may list the options a second time.
const quiz: OutgoingMessage = {
  text: '盘点时发现差异，应该怎么做？\n1. 直接改库存数量，省得麻烦\n2. 先复盘，确认后提交盘盈盘亏单由主管审核\n回复数字或点按钮作答',
  buttons: [
    { label: '1. 直接改库存数量，省得麻烦', value: 'lessons:q:1' },
    { label: '2. 先复盘，确认后提交盘盈盘亏单由主…', value: 'lessons:q:2' },
  ],
};
const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('numbered choices are listed once on every platform', () => {
  it('Slack notification text', () => {
    const body = encodeMessage(quiz) as { text: string };
    expect(count(body.text, '直接改库存数量')).toBe(1);
    expect(body.text).not.toContain('1. 1.');
  });
  it('DingTalk text', () => {
    const r = render(quiz, 'zh-CN');
    expect(count(r.text, '直接改库存数量')).toBe(1);
  });
  it('Feishu text fallback', () => {
    const text = JSON.parse(encodeFeishuText(quiz).content).text as string;
    expect(count(text, '直接改库存数量')).toBe(1);
  });
  it('WeCom numbered-text fallback (too many buttons for a card)', () => {
    const many: OutgoingMessage = {
      text: `选一个：\n${Array.from({ length: 8 }, (_, i) => `${i + 1}. 选项${i + 1}`).join('\n')}`,
      buttons: Array.from({ length: 8 }, (_, i) => ({ label: `${i + 1}. 选项${i + 1}`, value: `v${i}` })),
    };
    const [msg] = encodeWecomMessage({ platform: 'wecom', userId: 'u1' }, many, { agentId: 1, taskId: 't1' });
    const content = (msg as { text: { content: string } }).text.content;
    expect(count(content, '选项3')).toBe(1);
    expect(content).not.toContain('1. 1.');
  });
});
