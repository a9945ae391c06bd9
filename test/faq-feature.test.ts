import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createFaqIndex, type FaqIndex } from '../src/faq/faq-index.ts';
import { createFaqFeature, FEEDBACK } from '../src/faq/feature.ts';
import { type FaqGap, GAPS } from '../src/faq/gaps.ts';
import { loadFaq } from '../src/faq/load.ts';
import type { FaqContent, FaqEntry } from '../src/faq/schema.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const KB: FaqEntry[] = [
  {
    id: 'password-reset',
    title: '忘记密码',
    title_en: 'Forgot password',
    questions: ['忘记密码怎么办', '怎么重置登录密码'],
    answer: '1. 登录页点「忘记密码」。\n2. 输入工号和验证码后设置新密码。\n',
    answer_en: '1. Click "Forgot password" on the sign-in page.\n2. Enter your staff number and the code.\n',
  },
  {
    id: 'account-locked',
    title: '账号被锁定',
    questions: ['账号被锁定怎么办', '密码输错太多次被锁'],
    answer: '锁定 30 分钟后自动解锁，或用「忘记密码」重置。',
  },
  {
    id: 'change-password',
    title: '修改密码',
    questions: ['怎么修改密码', '初始密码要改吗'],
    answer: '右上角头像 → 个人设置 → 修改密码。',
  },
  { id: 'print', title: '打印单据', questions: ['单据怎么打印'], answer: '打开单据，点「打印」并预览。' },
];
const SYN = [
  ['忘记', '忘了'],
  ['打印', '列印'],
];
const OOS = [{ topic: 'network', label: '网络与 VPN', terms: ['vpn', 'wifi'] }];
const TH = { answer: 0.3, margin: 1.1, suggestFloor: 0.08 };

let h: Harness;
const start = async (index: FaqIndex | (() => FaqIndex), thresholds = TH) => {
  h = await createHarness({ features: [createFaqFeature({ index, thresholds })] });
  return h;
};
afterEach(async () => h?.close());
const idx = () => createFaqIndex(KB, SYN, { outOfScope: OOS });
const gaps = async () => (await h.store.list<FaqGap>(GAPS)).map((d) => d.value);

describe('faq feature — answer and feedback', () => {
  it('answers with the entry text verbatim and 有用/没用 buttons', async () => {
    await start(idx());
    const [r] = await h.say('u1', '密码忘了怎么办');
    expect(r.text).toContain('【忘记密码】');
    expect(r.text).toContain(KB[0].answer);
    expect(r.buttons).toEqual([
      { label: '有用', value: 'faq:up:password-reset' },
      { label: '没用', value: 'faq:down:password-reset' },
    ]);
  });

  it('有用 thanks the user and records the vote', async () => {
    await start(idx());
    await h.say('u1', '忘记密码怎么办');
    const [r] = await h.click('u1', 'faq:up:password-reset');
    expect(r.text).toContain('谢谢');
    const votes = (await h.store.list<{ entryId: string; vote: string }>(FEEDBACK)).map((d) => d.value);
    expect(votes).toMatchObject([{ entryId: 'password-reset', vote: 'up', userKey: 'dev:u1' }]);
  });

  it('没用 (or typing 2) offers the next candidates, logs the question, and ends at 转人工', async () => {
    await start(idx());
    await h.say('u1', '密码忘了怎么办');
    const [r] = await h.say('u1', '2'); // the 2nd button of the last reply: 没用
    const picks = r.buttons!.filter((b) => b.value.startsWith('faq:pick:')).map((b) => b.value);
    expect(picks.length).toBeGreaterThan(0);
    expect(picks).not.toContain('faq:pick:password-reset');
    expect(r.buttons!.at(-1)).toEqual({ label: '转人工', value: 'ticket:open' });
    expect(await gaps()).toMatchObject([
      { question: '密码忘了怎么办', reason: 'disliked', entryId: 'password-reset', userKey: 'dev:u1' },
    ]);

    // Picking one answers with it; disliking every candidate leaves 转人工 only.
    const next = picks[0].slice('faq:pick:'.length);
    const [picked] = await h.click('u1', `faq:pick:${next}`);
    expect(picked.text).toContain(KB.find((e) => e.id === next)!.answer);
    let last = await h.click('u1', `faq:down:${next}`);
    for (let i = 0; i < 5 && last[0].buttons!.some((b) => b.value.startsWith('faq:pick:')); i++) {
      const id = last[0]
        .buttons!.find((b) => b.value.startsWith('faq:pick:'))!
        .value.slice('faq:pick:'.length);
      last = await h.click('u1', `faq:down:${id}`);
    }
    expect(last[0].text).toContain('转人工');
    expect(last[0].buttons).toEqual([{ label: '转人工', value: 'ticket:open' }]);
  });

  it('answers in English from answer_en for en users', async () => {
    await start(idx());
    const [r] = await h.say('u2', '忘记密码怎么办', { locale: 'en' });
    expect(r.text).toContain('[Forgot password]');
    expect(r.text).toContain(KB[0].answer_en!);
    expect(r.buttons![0].label).toBe('Helpful');
  });

  it('says a picked entry is gone after a content change', async () => {
    await start(idx());
    const [r] = await h.click('u1', 'faq:pick:no-such-entry');
    expect(r.text).toContain('重新输入');
  });
});

describe('faq feature — confidence branches', () => {
  it('suggests "您是不是想问" with up to three candidates and 转人工 on a close call', async () => {
    await start(idx(), { ...TH, margin: 3 });
    const [r] = await h.say('u1', '密码怎么办');
    expect(r.text).toContain('您是不是想问');
    const values = r.buttons!.map((b) => b.value);
    expect(values.filter((v) => v.startsWith('faq:pick:')).length).toBeGreaterThanOrEqual(2);
    expect(values.filter((v) => v.startsWith('faq:pick:')).length).toBeLessThanOrEqual(3);
    expect(values.at(-1)).toBe('ticket:open');
    // Titles as labels.
    expect(r.buttons!.map((b) => b.label)).toEqual(expect.arrayContaining(['忘记密码', '修改密码']));
  });

  it('says it does not know and offers 转人工 below the floor, logging the question', async () => {
    await start(idx());
    const [r] = await h.say('u1', '这首歌的歌词是什么');
    expect(r.text).toBe('这个问题我还不会。回复「转人工」，IT 同事会在 4 个工作小时内回复您。');
    expect(r.buttons).toEqual([{ label: '转人工', value: 'ticket:open' }]);
    expect(await gaps()).toMatchObject([{ question: '这首歌的歌词是什么', reason: 'unknown' }]);
  });

  it('routes out-of-scope topics to 转人工 and logs the topic', async () => {
    await start(idx());
    const [r] = await h.say('u1', '公司VPN连不上');
    expect(r.text).toContain('网络与 VPN');
    expect(r.buttons).toEqual([{ label: '转人工', value: 'ticket:open' }]);
    expect(await gaps()).toMatchObject([{ reason: 'out_of_scope', topic: 'network' }]);
  });

  it('lets a greeting through to the help text', async () => {
    await start(idx());
    const [r] = await h.say('u1', '你好');
    expect(r.text).toContain('信息化小助手');
    expect(await gaps()).toEqual([]);
  });

  it('reads the current index through a getter (content reloads)', async () => {
    let current = idx();
    await start(() => current);
    expect((await h.say('u1', '单据怎么列印'))[0].text).toContain('点「打印」');
    current = createFaqIndex(
      [{ id: 'print', questions: ['单据怎么打印'], answer: '新版：用快捷键打印。' }],
      SYN,
    );
    expect((await h.say('u1', '单据怎么列印'))[0].text).toContain('新版：用快捷键打印。');
  });
});

describe('acceptance with the shipped flows/faq content and default thresholds', () => {
  let content: FaqContent;
  beforeAll(async () => {
    content = await loadFaq('flows');
  });
  const defaults = () => {
    const cfg = loadConfig({});
    return { answer: cfg.FAQ_ANSWER_THRESHOLD, margin: cfg.FAQ_MARGIN, suggestFloor: cfg.FAQ_SUGGEST_FLOOR };
  };
  const answerOf = (id: string) => content.entries.find((e) => e.id === id)!.answer;

  it('密码忘了怎么办 gets the password entry', async () => {
    await start(createFaqIndex(content), defaults());
    const [r] = await h.say('new-user-1', '密码忘了怎么办');
    expect(r.text).toContain(answerOf('password-reset'));
  });

  it('單據怎麼打印 gets the printing entry', async () => {
    await start(createFaqIndex(content), defaults());
    const [r] = await h.say('new-user-2', '單據怎麼打印');
    expect(r.text).toContain(answerOf('print-document'));
  });

  it('打印机卡纸了 does not get a confident wrong answer', async () => {
    await start(createFaqIndex(content), defaults());
    const [r] = await h.say('new-user-3', '打印机卡纸了');
    for (const e of content.entries) expect(r.text).not.toContain(e.answer);
    expect(r.buttons?.map((b) => b.value)).toContain('ticket:open');
  });
});
