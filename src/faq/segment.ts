import { Jieba } from '@node-rs/jieba';
// On Node 20 the dictionary must be imported from the file (the `dict` subpath has no exports map entry).
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese word segmentation for FAQ matching.
 *
 * Which segmenter: measured on the dev eval set (`npm run eval:faq`, "Retrieval variants"),
 * jieba (precise mode, no HMM, plus the known sub-words of long words) with a user dictionary
 * of rollout terms won over `Intl.Segmenter` plus character bigrams: top-1 90.0 % vs 82.1 %
 * when always answering, 90.0 % vs 80.7 % at ≤ 5 % false answers (each with its own best
 * thresholds). ICU splits domain words such as 调拨/盘点/账套 into single characters, which
 * bigrams only partly repair while adding noise bigrams across word boundaries (`拨盘`).
 * jieba's search mode (`cutForSearch`) was also worse than precise mode: it adds every
 * dictionary sub-word (`采购入库` → `购入`), not just the ones the knowledge base uses.
 */

/** Splits a normalized text into tokens (whitespace dropped, no other filtering). */
export type Segmenter = (normalized: string) => string[];

/**
 * Rollout vocabulary jieba's stock dictionary lacks or splits (kept whole so they match as one
 * term). Thesaurus words are added on top of these when an index is built.
 */
export const ROLLOUT_TERMS: readonly string[] = [
  '扫码',
  '扫码枪',
  '扫码入库',
  '扫描枪',
  '条码枪',
  '入库单',
  '出库单',
  '调拨单',
  '盘点单',
  '盘点表',
  '盘盈',
  '盘亏',
  '进仓',
  '出仓',
  '移库',
  '调货',
  '账套',
  '组织',
  '月结',
  '年结',
  '关账',
  '反结账',
  '企微',
  '企业微信',
  '钉钉',
  '飞书',
  '工作台',
  '小程序',
  '公海',
  '公海池',
  '加签',
  '转交',
  '会签',
  '代批',
  '批量审批',
  '备用金',
  '报账',
  '报销单',
  '借款单',
  '付款单',
  '收款单',
  '对账单',
  '余额调节表',
  '凭证',
  '记账',
  '结转',
  '打印模板',
  '打印控件',
  '预览',
  '导出',
  '导入',
  '权限',
  '菜单',
  '列设置',
  '商品档案',
  '物料编码',
  '安全库存',
  '库存预警',
  '销售订单',
  '销售出库',
  '采购订单',
  '采购入库',
  '退货单',
  '红冲',
  '红字',
  '发票',
  '电子发票',
  '专票',
  '普票',
  '开票',
  '验证码',
  '工号',
  '初始密码',
  '重置',
  '改密码',
  '忘记密码',
  '登不上',
  '登不进',
  '进不去',
  '挤下线',
  '踢下线',
  '掉线',
  '审批流',
  '待办',
  '已办',
  '抄送',
  '撤回',
  '驳回',
  '退回',
  '加班单',
  '请假单',
  '调休',
  '年假',
  '事假',
  '病假',
  // Everyday IT words newer than jieba's stock dictionary.
  '微信',
  '短信',
  '截图',
  '截屏',
  '二维码',
  '网银',
  '电子版',
  '小程序',
  '公众号',
  '上传',
  '浏览器',
  '弹窗',
  '闪退',
  '卡顿',
  '打不开',
  '下载中心',
  '手机号',
  '验证码',
  '手机端',
  '电脑端',
  '网页版',
  '客户端',
];

let jieba: Jieba | undefined;
const added = new Set<string>();

/** The shared jieba instance (stock dictionary + rollout terms), created on first use (~0.3 s). */
function instance(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    addWords(ROLLOUT_TERMS);
  }
  return jieba;
}

/**
 * Adds words to the shared jieba user dictionary (idempotent; words only ever get added, so
 * indexes built in the same process see each other's thesaurus words — harmless, they are
 * ordinary vocabulary).
 * @param words multi-character words, already normalized.
 */
export function addWords(words: Iterable<string>): void {
  const j = jieba ?? instance();
  const lines: string[] = [];
  for (const w of words) {
    if (w.length < 2 || /\s/.test(w) || added.has(w)) continue;
    added.add(w);
    lines.push(`${w} 800 n`);
  }
  if (lines.length) j.loadDict(Buffer.from(lines.join('\n')));
}

/**
 * jieba precise mode without HMM (HMM invents words from unknown runs — `货要`, `个价` — that
 * never match anything; without it they stay single characters, which can).
 * Long words get their known sub-words from {@link subwords}, which is better than jieba's search
 * mode: that one adds every dictionary sub-word (`采购入库` → `购入`), this one only those the
 * knowledge base uses.
 */
export const jiebaSegmenter: Segmenter = (s) =>
  instance()
    .cut(s, false)
    .filter((w) => w.trim() !== '');

/**
 * {@link jiebaSegmenter} over many texts in one native call (index builds: the per-call cost
 * dominates for short texts). Texts are joined by a newline, which jieba always emits as its own
 * token, so each text is cut exactly as alone.
 * @param texts normalized texts (no newline inside — {@link normalizeText} collapses whitespace).
 */
export function jiebaSegmentMany(texts: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of instance().cut(texts.join('\n'), false)) {
    if (w === '\n') out.push([]);
    else if (w.trim() !== '') out[out.length - 1].push(w);
  }
  return out;
}

/**
 * Sub-words of a long token that `isKnown` accepts (2 characters up to one less than the token),
 * e.g. `扫码入库` → `扫码`, `入库` when both occur in the knowledge base.
 */
export function subwords(token: string, isKnown: (w: string) => boolean): string[] {
  const out: string[] = [];
  if (token.length < 3 || !/^\p{Script=Han}+$/u.test(token)) return out;
  for (let len = 2; len < token.length; len++)
    for (let i = 0; i + len <= token.length; i++) {
      const w = token.slice(i, i + len);
      if (isKnown(w)) out.push(w);
    }
  return out;
}

const intl = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * The measured alternative: ICU word segmentation plus overlapping character bigrams of every
 * CJK run (the usual fix for ICU's single-character splits).
 */
export const intlBigramSegmenter: Segmenter = (s) => {
  const out: string[] = [];
  for (const seg of intl.segment(s)) if (seg.isWordLike) out.push(seg.segment);
  for (const run of s.match(/\p{Script=Han}+/gu) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
};

/**
 * Resultative and directional complements that chat glues onto a verb (`放进`, `拿回`, `用完`,
 * `跳出来`): jieba keeps such pairs whole and they are no dictionary word — read as a word no
 * one knows, they counted as strong evidence *against* the entry about the verb. Longest first.
 */
const COMPLEMENT =
  /^(\p{Script=Han}{1,2}?)(进去|进来|出来|出去|回来|回去|过来|过去|起来|上来|上去|下来|下去|进|出|回|光|完|掉|好|到|成|走|死)$/u;

/**
 * The verb of a verb + complement token (`放进` → `放`, `导出来` → `导`) when the token itself
 * is not known and the verb is (`isKnown`: content or thesaurus vocabulary); undefined otherwise.
 */
export function complementStem(token: string, isKnown: (w: string) => boolean): string | undefined {
  if (token.length < 2 || isKnown(token)) return undefined;
  const m = COMPLEMENT.exec(token);
  return m && isKnown(m[1]) ? m[1] : undefined;
}
