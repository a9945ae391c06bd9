import { describe, expect, it } from 'vitest';
import { createFaqIndex } from '../src/faq/faq-index.ts';
import { normalizeText } from '../src/faq/normalize.ts';
import type { FaqEntry } from '../src/faq/schema.ts';

describe('normalizeText', () => {
  it('turns full-width letters, digits and punctuation half-width, lower case', () => {
    expect(normalizeText('電腦版ＡＰＰ要付３０００元？？')).toBe('电脑版app要付3000元');
    expect(normalizeText('ＥＲＰ　登录')).toBe('erp 登录');
  });

  it('converts traditional to simplified and leaves simplified text unchanged', () => {
    expect(normalizeText('單據怎麼打印')).toBe('单据怎么打印');
    expect(normalizeText('倉庫裡的貨 怎麼調撥到門市')).toBe('仓库里的货 怎么调拨到门市');
    const simplified = '仓库管理员扫码入库后先保存再审核 调拨单确认收货后库存才增加 里面 干活 发票 头发 面条';
    expect(normalizeText(simplified)).toBe(simplified);
  });

  it('writes 账 for the 帐 variant OpenCC keeps (帳號 → 账号), but not in 帐篷', () => {
    expect(normalizeText('帳號')).toBe('账号');
    expect(normalizeText('结帐')).toBe('结账');
    expect(normalizeText('帐篷')).toBe('帐篷');
  });

  it('strips a leading mention of the bot, glued or spaced', () => {
    expect(normalizeText('@小助手密码忘了')).toBe('密码忘了');
    expect(normalizeText('@ERP助手调拨单在哪里')).toBe('调拨单在哪里');
    expect(normalizeText('@张三 你好')).toBe('你好');
    expect(normalizeText('@小助手 @机器人 调拨单怎么做')).toBe('调拨单怎么做');
    // Only a leading mention: an address later in the text is kept as text.
    expect(normalizeText('发到 a@b.com 了吗')).toBe('发到 a b com 了吗');
  });

  it('deletes emoji without cutting the text after them', () => {
    expect(normalizeText('你好🙋密码怎么重置？')).toBe(normalizeText('你好密码怎么重置？'));
    expect(normalizeText('打印👨‍💻没反应👍🏽了')).toBe('打印没反应了');
    expect(normalizeText('😭😭打不开页面')).toBe('打不开页面');
  });

  it('drops trailing thanks and urgency noise, but keeps a message that is only that', () => {
    expect(normalizeText('发票抬头写错了 谢谢')).toBe('发票抬头写错了');
    expect(normalizeText('单据审核不了 急!!!')).toBe('单据审核不了');
    expect(normalizeText('咋弄 急急急')).toBe('咋弄');
    expect(normalizeText('谢谢')).toBe('谢谢');
  });
});

describe('emoji regression (a segmenter that stops at an emoji)', () => {
  const entries: FaqEntry[] = [
    {
      id: 'password-reset',
      questions: ['忘记密码怎么办', '密码重置'],
      answer: '登录页点「忘记密码」，用验证码重置。',
    },
    { id: 'print', questions: ['单据怎么打印'], answer: '打开单据点「打印」。' },
  ];
  const index = createFaqIndex(entries, [['重置', '重设']]);

  it('matches and scores 你好🙋密码怎么重置？ exactly like 你好密码怎么重置？', () => {
    const a = index.search('你好🙋密码怎么重置？');
    const b = index.search('你好密码怎么重置？');
    expect(a.hits[0].entry.id).toBe('password-reset');
    expect(a.terms).toEqual(b.terms);
    expect(a.hits.map((h) => [h.entry.id, h.score, h.confidence])).toEqual(
      b.hits.map((h) => [h.entry.id, h.score, h.confidence]),
    );
  });
});
