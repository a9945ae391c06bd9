import { describe, expect, it } from 'vitest';
import { conceptSplit } from '../src/faq/concepts.ts';
import { confidenceOf } from '../src/faq/confidence.ts';
import { createFaqIndex } from '../src/faq/faq-index.ts';
import type { FaqEntry } from '../src/faq/schema.ts';
import { complementStem } from '../src/faq/segment.ts';

/** A small KB written for these tests (not the eval set). */
const KB: FaqEntry[] = [
  {
    id: 'print',
    questions: ['单据怎么打印', '打印单据', '批量打印单据', '单据打印预览'],
    answer: '1. 打开单据点「打印」。\n2. 批量打印：列表勾选多张单据后点「打印」。',
  },
  {
    id: 'template',
    questions: ['打印模板怎么改'],
    answer: '1. 设置 → 单据打印模板。\n2. 拖入需要的栏目或logo后保存。',
  },
  { id: 'brand', questions: ['公司logo在哪换'], answer: '设置 → 企业信息 → logo。' },
  { id: 'app-icon', questions: ['手机端图标'], answer: '手机端显示企业logo。' },
  { id: 'sign', questions: ['合同怎么签字', '电子签字流程'], answer: '打开合同点「签字」，确认后提交。' },
  { id: 'photo', questions: ['照片放哪里'], answer: '在单据附件里上传。' },
  { id: 'purchase-in', questions: ['采购入库怎么做'], answer: '库存 → 采购入库单 → 新增。' },
  { id: 'receive', questions: ['采购的货怎么入库'], answer: '入库单保存后点审核。' },
];
const index = createFaqIndex(KB, [['打印', '列印']]);
const terms = (q: string) => index.search(q).terms;

describe('conceptSplit', () => {
  const t = (term: string, weight: number, origin: number) => ({ term, weight, origin });

  it('counts each typed word once, however many terms it produced', () => {
    // 采购入库 → 采购入库, 采购, 入库 (one typed word) + 打印 (another).
    const ts = [t('采购入库', 1, 0), t('采购', 0.5, 0), t('入库', 0.5, 0), t('打印', 1, 1)];
    expect(conceptSplit(ts, [1, 1, 1, 0])).toEqual({ matched: 1, missing: 1 });
    expect(conceptSplit(ts, [0, 0, 1, 1])).toEqual({ matched: 2, missing: 0 });
  });

  it('ignores everyday words, and one-character words found only in the answer', () => {
    const ts = [t('时候', 0.2, 0), t('配', 0.9, 1), t('电脑', 0.7, 2)];
    expect(conceptSplit(ts, [1, 4, 0])).toEqual({ matched: 0, missing: 2 });
    expect(conceptSplit(ts, [1, 1, 0])).toEqual({ matched: 1, missing: 1 }); // 配 in a question counts
  });
});

describe('FaqIndex: compounds and concepts', () => {
  it('gives the sub-words of a compound the KB knows whole half the weight, and one origin', () => {
    const ts = terms('采购入库在哪');
    const whole = ts.find((x) => x.term === '采购入库');
    const part = ts.find((x) => x.term === '入库');
    expect(whole && part).toBeTruthy();
    expect(part?.weight).toBeCloseTo((whole?.weight ?? 0) / 2, 5);
    expect(part?.origin).toBe(whole?.origin);
  });

  it('looks up a separable verb without the measure word inside (签个字 → 签字)', () => {
    expect(terms('合同上要签个字').map((x) => x.term)).toContain('签字');
    expect(index.search('合同上要签个字').hits[0].entry.id).toBe('sign');
    // After a numeral 个 is a real measure word: 三个单 is not looked up as 三单.
    expect(terms('打印三个单据').map((x) => x.term)).not.toContain('三单');
  });

  it('reads a verb + complement the KB does not know as the verb (放进去 → 放)', () => {
    const ts = terms('照片放进去了').map((x) => x.term);
    expect(ts).toContain('放');
    expect(ts).not.toContain('放进去');
    expect(complementStem('放进去', (w) => w === '放')).toBe('放');
    expect(complementStem('放进去', (w) => w === '放' || w === '放进去')).toBeUndefined(); // known whole
    expect(complementStem('进去', () => true)).toBeUndefined();
    expect(complementStem('看完', (w) => w === '放')).toBeUndefined(); // verb unknown
  });

  it('ranks the sibling entry that matches more of the question above the one repeating the shared words', () => {
    // Both entries are about printing documents; only the template entry also has the logo of
    // the question. By BM25 alone the print entry (打印/单据 four times over) is ahead:
    // 5.86 / (1 + 0.7 ln 2) ≈ 3.95 vs 6.11 / (1 + 0.7 ln 3) ≈ 3.45.
    const r = index.search('单据打印想加logo');
    expect(r.hits.map((h) => h.entry.id).slice(0, 2)).toEqual(['template', 'print']);
    expect(confidenceOf(r).concepts).toBe(3);
    expect(confidenceOf(r, undefined, 1).concepts).toBe(2);
  });
});
