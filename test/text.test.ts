import { describe, expect, it } from 'vitest';
import {
  listsButtons,
  markdownToPlain,
  numberedLabel,
  splitByBytes,
  splitByChars,
  utf8Length,
} from '../src/core/text.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('utf8Length', () => {
  it('agrees with Buffer.byteLength, lone surrogates included', () => {
    for (const s of ['', 'a', 'é', '汉', '😀', '👨‍👩‍👧‍👦', 'a\uD800b', '\uDC00', '\uD83D'])
      expect(utf8Length(s)).toBe(bytes(s));
  });
});

describe('splitByBytes', () => {
  it('returns [] for empty text and the text itself when it fits', () => {
    expect(splitByBytes('', 10)).toEqual([]);
    expect(splitByBytes('汉字', 6)).toEqual(['汉字']);
  });

  it('splits "汉"×1500 + "END" into 3 pieces ≤ 2048 bytes, in order', () => {
    const parts = splitByBytes(`${'汉'.repeat(1500)}END`, 2048);
    expect(parts.map(bytes)).toEqual([2046, 2046, 411]);
    expect(parts.join('')).toBe(`${'汉'.repeat(1500)}END`);
  });

  it('never splits inside an emoji sequence, a flag or a combining mark', () => {
    const units = ['👨‍👩‍👧‍👦', '🇨🇳', 'é', '👍🏽', '汉', 'a'];
    const text = Array.from({ length: 400 }, (_, i) => units[i % units.length]).join('');
    for (const max of [25, 26, 31, 64, 100]) {
      const parts = splitByBytes(text, max);
      expect(parts.join('')).toBe(text);
      for (const p of parts) {
        expect(bytes(p)).toBeLessThanOrEqual(max);
        expect(p).not.toMatch(/^[\u200d\u0301\u{1F3FD}]/u); // no piece starts mid-grapheme
      }
    }
  });

  it('prefers a newline in the second half of a piece, dropping it', () => {
    const text = `${'a'.repeat(70)}\n${'b'.repeat(70)}`;
    expect(splitByBytes(text, 100)).toEqual(['a'.repeat(70), 'b'.repeat(70)]);
  });

  it('does not cut at a newline that would leave a tiny piece', () => {
    const text = `ab\n${'c'.repeat(200)}`;
    const parts = splitByBytes(text, 100);
    expect(parts[0]).toBe(`ab\n${'c'.repeat(97)}`);
  });

  it('cuts a grapheme larger than the limit between code points, never inside one', () => {
    const zalgo = `a${'\u0301'.repeat(100)}`; // one grapheme, 201 bytes
    const parts = splitByBytes(zalgo, 50);
    expect(parts.join('')).toBe(zalgo);
    for (const p of parts) expect(bytes(p)).toBeLessThanOrEqual(50);
  });

  it('rejects limits that cannot hold a character', () => {
    expect(() => splitByBytes('x', 3)).toThrow(RangeError);
  });
});

describe('splitByChars', () => {
  it('counts UTF-16 units and keeps surrogate pairs whole', () => {
    const parts = splitByChars('😀'.repeat(10), 5);
    expect(parts).toEqual(['😀😀', '😀😀', '😀😀', '😀😀', '😀😀']);
  });
});

describe('markdownToPlain', () => {
  it('renders the FAQ answer: no literal **, link as "label url"', () => {
    expect(markdownToPlain('**密码重置**……详见[帮助中心](https://example.com/help)')).toBe(
      '密码重置……详见帮助中心 https://example.com/help',
    );
  });

  it('handles headings, lists, quotes, emphasis and code', () => {
    const md = [
      '## 扫码入库',
      '1. 确认入库单已 *提交*',
      '- 再看 __库存__ 是否变化',
      '* ~~旧流程~~',
      '> 注意：`order_id` 不要改',
      '```',
      'a **b** c',
      '```',
    ].join('\n');
    expect(markdownToPlain(md)).toBe(
      [
        '扫码入库',
        '1. 确认入库单已 提交',
        '• 再看 库存 是否变化',
        '• 旧流程',
        '注意：order_id 不要改',
        'a **b** c',
      ].join('\n'),
    );
  });

  it('leaves snake_case, URLs with underscores and escaped markers alone', () => {
    expect(markdownToPlain('字段 user_name_id 见 [文档](https://x.cn/a_b_c) \\*原样\\*')).toBe(
      '字段 user_name_id 见 文档 https://x.cn/a_b_c *原样*',
    );
  });

  it('shows a bare link once, and autolinks and images as text', () => {
    expect(
      markdownToPlain('[https://a.cn](https://a.cn) <https://b.cn/x> ![流程图](https://c.cn/p.png)'),
    ).toBe('https://a.cn https://b.cn/x 流程图 https://c.cn/p.png');
  });
});

describe('numbered choices', () => {
  it('numbers a label once, whether or not it carries its own number', () => {
    expect(numberedLabel('生产型', 0)).toBe('1. 生产型');
    expect(numberedLabel('2. 主管审核后入账', 1)).toBe('2. 主管审核后入账');
    expect(numberedLabel('2、主管审核', 1)).toBe('2. 主管审核');
    // A different leading number is part of the label.
    expect(numberedLabel('3. 是', 0)).toBe('1. 3. 是');
  });

  it('sees options already listed in the text, also for numbered and shortened labels', () => {
    const text =
      '盘点时发现差异，应该怎么做？\n1. 直接改库存数量\n2. 先复盘，再提交盘盈盘亏单\n回复数字或点按钮作答';
    expect(listsButtons(text, [{ label: '1. 直接改库存数量' }, { label: '2. 先复盘，再提交…' }])).toBe(true);
    expect(listsButtons(text, [{ label: '直接改库存数量' }, { label: '先复盘，再提交盘盈盘亏单' }])).toBe(
      true,
    );
    expect(listsButtons(text, [{ label: '直接改库存数量' }, { label: '请财务处理' }])).toBe(false);
  });
});
