import { describe, expect, it } from 'vitest';
import { fitRule, type LabelledResult, scoreRule } from '../src/faq/calibrate.ts';
import { createFaqIndex } from '../src/faq/faq-index.ts';
import { isCircumstance, isStopwordCompound } from '../src/faq/filler.ts';
import type { FaqEntry } from '../src/faq/schema.ts';

describe('circumstance words (numbers, quantities, times)', () => {
  it('recognises numbers, quantity phrases and time expressions', () => {
    for (const w of [
      '8000',
      '50',
      '三份',
      '一百多条',
      '两个',
      '几天',
      '一条条',
      '下周一',
      '明天',
      '上个月',
      '晚上',
      '周末',
    ])
      expect(isCircumstance(w), w).toBe(true);
  });

  it('leaves topical words alone, including numeral-led ones', () => {
    for (const w of ['一键', '一次性', '月结', '年假', '调拨', '单据', '一起', '多少', '星期'])
      expect(isCircumstance(w), w).toBe(false);
  });

  it('treats words made only of stopwords as stopwords', () => {
    expect(isStopwordCompound('怎么弄')).toBe(true);
    expect(isStopwordCompound('能不能')).toBe(true);
    expect(isStopwordCompound('报销')).toBe(false);
    expect(isStopwordCompound('怎么报销')).toBe(false);
  });
});

/** A small KB written for these tests (not the eval set). */
const KB: FaqEntry[] = [
  { id: 'leave', questions: ['怎么请假', '请假流程'], answer: '在OA里提交请假单，写清日期和事由。' },
  { id: 'print', questions: ['单据怎么打印'], answer: '打开单据点打印，先预览。' },
  { id: 'expense', questions: ['怎么提交报销'], answer: '工作台打开费用报销，上传发票照片。' },
];
const index = createFaqIndex(KB, []);

describe('query weighting', () => {
  it('a date in the question does not dilute it: 下周一请假 is as confident as 请假', () => {
    const dated = index.search('下周一怎么请假');
    const w = dated.terms.find((t) => t.term === '下周一')?.weight;
    expect(w).toBeCloseTo(0.2, 5);
    expect(dated.hits[0].entry.id).toBe('leave');
  });
});

describe('calibration', () => {
  const rows: LabelledResult[] = [
    { result: index.search('请假流程'), expect: 'leave', n: 0 },
    { result: index.search('单据打印'), expect: 'print', n: 1 },
    { result: index.search('报销提交'), expect: 'expense', n: 2 },
    { result: index.search('单据打印机冒烟了着火了'), expect: null, n: 3 },
  ];

  it('fits the threshold that answers the covered questions and not the uncovered one', () => {
    const fit = fitRule(rows, {
      unknownPenalty: [1],
      unmatchedPenalty: [0],
      marginWeight: [0],
      answer: [0.3, 0.5, 0.7, 0.8, 0.9],
      margin: [1],
      suggestFloor: 0.1,
      maxFalse: 0,
    });
    expect(fit.score.falseAnswers).toBe(0);
    expect(fit.score.top1).toBe(3);
    // A threshold of 0 would answer the printer question too.
    expect(scoreRule(rows, { ...fit.thresholds, answer: 0 }).falseAnswers).toBe(1);
  });
});
