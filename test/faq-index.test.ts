import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../src/faq/bm25.ts';
import { createFaqIndex } from '../src/faq/faq-index.ts';
import type { FaqEntry } from '../src/faq/schema.ts';
import { intlBigramSegmenter, jiebaSegmenter } from '../src/faq/segment.ts';

/** A small KB written for these tests (not the eval set). */
const KB: FaqEntry[] = [
  {
    id: 'password-reset',
    questions: ['忘记密码怎么办', '怎么重置登录密码'],
    answer: '1. 登录页点「忘记密码」。\n2. 输入工号，填短信验证码后设置新密码。',
    tags: ['账号'],
  },
  {
    id: 'transfer',
    questions: ['调拨单怎么做', '两个仓库之间怎么调拨'],
    symptoms: ['把一批货转到另一个仓库'],
    answer: '1. 库存管理 → 调拨单 → 新增。\n2. 调入仓点「确认收货」后库存才增加。',
    tags: ['仓库'],
  },
  {
    id: 'scan-in',
    questions: ['扫码入库怎么操作'],
    symptoms: ['扫码后库存没变'],
    answer: '1. 采购入库里扫码。\n2. 先保存再审核，只保存不审核库存不会增加。',
    tags: ['仓库'],
  },
  {
    id: 'expense',
    questions: ['怎么提交报销', '报销流程'],
    answer: '1. 工作台打开「费用报销」，上传发票照片。\n2. 部门负责人审批后交财务。',
    tags: ['财务'],
  },
  {
    id: 'print',
    questions: ['单据怎么打印'],
    answer: '1. 打开单据点「打印」，先预览。\n2. 点了没反应请安装打印控件。',
    tags: ['打印'],
  },
];
const SYNONYMS = [
  ['密码', '口令'],
  ['忘记', '忘了', '想不起来'],
  ['调拨', '移库', '挪'],
  ['入库', '收货', '进仓'],
  ['报销', '报账'],
  ['打印', '列印'],
];
const OOS = [{ topic: 'printer-hardware', label: '打印机硬件', terms: ['卡纸', '硒鼓'] }];
const index = createFaqIndex(KB, SYNONYMS, { outOfScope: OOS });
const top = (q: string) => index.search(q).hits[0]?.entry.id;

describe('segmentation', () => {
  it('jieba with the rollout dictionary keeps domain words whole; Intl.Segmenter splits them', () => {
    const words = jiebaSegmenter('调拨单怎么做盘点入库重置密码扫码入库');
    for (const w of ['调拨单', '盘点', '入库', '重置', '扫码入库']) expect(words).toContain(w);
    // Long words also yield their known sub-words as index terms.
    expect(index.analyze('扫码入库调拨单')).toEqual(expect.arrayContaining(['入库', '调拨']));
    const icu = new Intl.Segmenter('zh', { granularity: 'word' });
    const icuWords = [...icu.segment('调拨盘点')].map((s) => s.segment);
    expect(icuWords).not.toContain('调拨');
    expect(intlBigramSegmenter('调拨盘点')).toContain('调拨'); // bigrams repair it, with noise (拨盘)
    expect(intlBigramSegmenter('调拨盘点')).toContain('拨盘');
  });
});

describe('FaqIndex ranking', () => {
  it('finds the entry for its own phrasing and for paraphrases through the thesaurus', () => {
    expect(top('忘记密码怎么办')).toBe('password-reset');
    expect(top('口令忘了')).toBe('password-reset'); // 口令=密码, 忘了=忘记
    expect(top('列印单据')).toBe('print');
    expect(top('报账怎么弄')).toBe('expense');
    expect(top('收货以后库存没变')).toBe('scan-in');
  });

  it('matches symptoms and answer text, not only questions', () => {
    expect(top('一批货转到另一个地方')).toBe('transfer'); // words only in the symptom
    expect(top('发票照片传哪里')).toBe('expense'); // words only in the answer
  });

  it('corrects a homophone typo via pinyin (报消 → 报销), and not a mere same-sounding phrase', () => {
    const r = index.search('报消怎么提交');
    expect(r.hits[0].entry.id).toBe('expense');
    expect(r.terms.find((t) => t.term === '报销')?.weight).toBeLessThan(1);
    // 加个 sounds like 价格 but shares no character with it: no correction.
    const noIndex = createFaqIndex(
      [...KB, { id: 'price', questions: ['价格怎么改'], answer: '改价格。' }],
      SYNONYMS,
    );
    expect(noIndex.search('周末加个班').terms.map((t) => t.term)).not.toContain('价格');
  });

  it('ranks best first, respects k and reports confidence in 0..1', () => {
    const r = index.search('调拨以后库存没增加', 2);
    expect(r.hits).toHaveLength(2);
    expect(r.hits[0].entry.id).toBe('transfer');
    expect(r.hits[0].score).toBeGreaterThan(r.hits[1].score);
    for (const h of r.hits) expect(h.confidence).toBeGreaterThanOrEqual(0);
    expect(index.search('调拨单怎么做').hits[0].confidence).toBeCloseTo(1, 5);
  });

  it('gives low confidence when most of the question is unknown to the KB', () => {
    const r = index.search('这首歌的歌词是什么');
    expect(r.hits[0]?.confidence ?? 0).toBeLessThan(0.2);
  });

  it('flags out-of-scope topics unless the KB itself asks about them', () => {
    expect(index.search('复印机老是卡纸').outOfScope?.topic).toBe('printer-hardware');
    const withEntry = createFaqIndex(
      [...KB, { id: 'jam', questions: ['复印机卡纸怎么处理'], answer: '打开后盖取出纸张。' }],
      SYNONYMS,
      {
        outOfScope: OOS,
      },
    );
    const r = withEntry.search('复印机老是卡纸');
    expect(r.outOfScope).toBeUndefined();
    expect(r.hits[0].entry.id).toBe('jam');
  });

  it('counts a word found only in the answer text in full towards confidence (default fields)', () => {
    // 照片 occurs only in the expense answer ("上传发票照片"), 报销 in its questions.
    const withAnswerWord = index.search('报销照片');
    const questionOnly = index.search('报销');
    expect(withAnswerWord.hits[0].entry.id).toBe('expense');
    expect(withAnswerWord.hits[0].confidence).toBeCloseTo(questionOnly.hits[0].confidence, 5);
    const half = createFaqIndex(KB, SYNONYMS, { fields: { a: { weight: 1, b: 0.75, strength: 0.5 } } });
    expect(half.search('报销照片').hits[0].confidence).toBeLessThan(withAnswerWord.hits[0].confidence);
  });

  it('has no terms for greetings and filler', () => {
    expect(index.search('你好').terms).toEqual([]);
    expect(index.search('！！！').hits).toEqual([]);
  });

  it('is deterministic across builds', () => {
    const again = createFaqIndex(KB, SYNONYMS, { outOfScope: OOS });
    const q = '扫码入库后库存怎么没变';
    expect(again.search(q).hits.map((h) => [h.entry.id, h.score])).toEqual(
      index.search(q).hits.map((h) => [h.entry.id, h.score]),
    );
  });
});

describe('Bm25Index', () => {
  it('returns only the top k, best first, ties by insertion order', () => {
    const bm = new Bm25Index({ f: { weight: 1, b: 0.5 } });
    bm.add({ f: ['a', 'b'] });
    bm.add({ f: ['a'] });
    bm.add({ f: ['a', 'b'] });
    bm.add({ f: ['c'] });
    bm.build();
    const hits = bm.search([{ term: 'b', weight: 1 }], 5);
    expect(hits.map((h) => h.doc)).toEqual([0, 2]);
    expect(bm.search([{ term: 'a', weight: 1 }], 1)).toHaveLength(1);
    expect(bm.search([{ term: 'zzz', weight: 1 }], 3)).toEqual([]);
    // Scratch arrays are reset between searches.
    expect(bm.search([{ term: 'b', weight: 1 }], 5)).toEqual(hits);
  });

  it('counts answer-only matches less towards coverage (field strength)', () => {
    const bm = new Bm25Index({ q: { weight: 3, b: 0.5 }, a: { weight: 1, b: 0.5, strength: 0.5 } });
    bm.add({ q: ['x'], a: [] });
    bm.add({ q: [], a: ['x'] });
    bm.build();
    const [first, second] = bm.search([{ term: 'x', weight: 1 }], 2);
    expect(first.coverage).toBeCloseTo(1, 5);
    expect(second.coverage).toBeCloseTo(0.5, 5);
  });
});
