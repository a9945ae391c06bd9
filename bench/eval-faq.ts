import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { Bot } from '../src/core/bot.ts';
import { Outbox } from '../src/core/outbox.ts';
import { ManualClock } from '../src/core/types.ts';
import {
  crossValidate,
  DEFAULT_GRID,
  fitRule,
  type LabelledResult,
  scoreRule,
} from '../src/faq/calibrate.ts';
import type { FaqThresholds } from '../src/faq/decide.ts';
import { createFaqIndex, type FaqIndex } from '../src/faq/faq-index.ts';
import { createFaqFeature } from '../src/faq/feature.ts';
import { loadFaqDir, loadFaqFiles } from '../src/faq/load.ts';
import { intlBigramSegmenter, jiebaSegmenter, type Segmenter } from '../src/faq/segment.ts';
import { MemoryStore } from '../storage/memory.ts';

/**
 * `npm run eval:faq` — the level-one FAQ on the dev eval set (`../shared/eval/faq-dev/`).
 *
 * Loads ONLY the eval `kb.yaml` as FAQ entries (the product's own entries are not used); the
 * product's general content — thesaurus (`flows/faq/synonyms.yaml`) and out-of-scope topics
 * (`flows/faq/out-of-scope.yaml`) — is used as the bot would. Each query is sent as a chat
 * message from a fresh user through the real Bot and FAQ feature; the answered entry is read
 * from the `〔ID:…〕` marker in the reply, the did-you-mean list from its `faq:pick:<id>` buttons.
 *
 * Prints, per kind and overall: top-1 (answered with the expected entry) on paraphrase+noisy;
 * false answers (any entry given as *the* answer) on out_of_scope+near_miss; the expected entry
 * in the answer or the did-you-mean list (top-3 shown); then the misses. A second table compares
 * segmenters and the thesaurus at the retrieval level, each with its own best thresholds, and a
 * calibration table: the configured rule, the rule fitted on the whole set (≤ 5 % false answers)
 * and a 2-fold cross-validation by entry (fitted on the questions of even entries, scored on the
 * odd ones, and vice versa; uncovered questions split by position) — the honest estimate for a
 * knowledge base the thresholds were not fitted on.
 *
 * Flags: `--kb=<file>` `--queries=<file>` `--flows=<dir>` (thesaurus source) `--no-misses`.
 * Thresholds and confidence weights come from the environment like the bot
 * (`FAQ_ANSWER_THRESHOLD`, `FAQ_MARGIN`, `FAQ_SUGGEST_FLOOR`, `FAQ_UNKNOWN_PENALTY`,
 * `FAQ_UNMATCHED_PENALTY`, `FAQ_MARGIN_WEIGHT`, `FAQ_CONCEPT_WEIGHT`).
 */

const EVAL_DIR = join(import.meta.dirname, '..', '..', 'shared', 'eval', 'faq-dev');

type Kind = 'paraphrase' | 'noisy' | 'out_of_scope' | 'near_miss';
interface Query {
  q: string;
  expect: string | null;
  kind: Kind;
}

/** What the bot did with one query. */
interface Outcome {
  query: Query;
  answered?: string;
  suggested: string[];
  /** After a wrong-looking answer: what 没用 offered next (the user's second chance). */
  afterDown: string[];
  /** Retrieval ranking (best first), for the segmenter comparison. */
  ranked: string[];
}

export interface EvalOptions {
  kb?: string;
  queries?: string;
  /** Folder whose `faq/` files give the thesaurus and out-of-scope topics (default `./flows`). */
  flows?: string;
  thresholds?: FaqThresholds;
}

/** Loads the eval KB plus the product thesaurus/out-of-scope list. */
async function loadEvalContent(opts: EvalOptions) {
  const kb = await loadFaqFiles([opts.kb ?? join(EVAL_DIR, 'kb.yaml')]);
  const general = await loadFaqDir(join(opts.flows ?? 'flows', 'faq'));
  return { entries: kb.entries, synonyms: general.synonyms, outOfScope: general.outOfScope };
}

async function loadQueries(file: string): Promise<Query[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Query);
}

/** Sends every query through a Bot with only the FAQ feature; fresh user per query. */
async function runThroughBot(
  index: FaqIndex,
  queries: Query[],
  thresholds: FaqThresholds,
): Promise<Outcome[]> {
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  const store = new MemoryStore(clock);
  const outbox = new Outbox({ store, clock });
  const bot = new Bot({
    store,
    outbox,
    clock,
    features: [createFaqFeature({ index, thresholds, store, clock })],
  });
  const out: Outcome[] = [];
  for (const [i, query] of queries.entries()) {
    const r = await bot.dispatch({
      id: `eval-${i}`,
      platform: 'dev',
      userId: `eval-user-${i}`,
      address: { platform: 'dev', userId: `eval-user-${i}`, chatType: 'direct' },
      text: query.q,
    });
    if (r.status !== 'done')
      throw new Error(`turn failed for ${query.q}: ${String((r as { error?: unknown }).error)}`);
    const text = r.replies.map((m) => m.text).join('\n');
    const answered = /〔ID:([^〕]+)〕/.exec(text)?.[1];
    const suggested = picks(r.replies);
    let afterDown: string[] = [];
    if (answered && answered !== query.expect) {
      // The user taps 没用: which entries does the bot offer next?
      const d = await bot.dispatch({
        id: `eval-${i}-down`,
        platform: 'dev',
        userId: `eval-user-${i}`,
        address: { platform: 'dev', userId: `eval-user-${i}`, chatType: 'direct' },
        action: `faq:down:${answered}`,
      });
      if (d.status === 'done') afterDown = picks(d.replies);
    }
    out.push({
      query,
      answered,
      suggested,
      afterDown,
      ranked: index.search(query.q, 5).hits.map((h) => h.entry.id),
    });
  }
  return out;
}

/** Entry ids of the `faq:pick:<id>` buttons of a turn's replies. */
function picks(replies: Array<{ buttons?: Array<{ value: string }> }>): string[] {
  return replies
    .flatMap((m) => m.buttons ?? [])
    .map((b) => /^faq:pick:(.+)$/.exec(b.value)?.[1])
    .filter((x): x is string => !!x);
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

/** The three figures per kind and overall. */
function table(outcomes: Outcome[]): string[] {
  const lines = ['kind           n    top-1    top-3 shown   top-3 w/ 没用   false answers'];
  const kinds: Kind[] = ['paraphrase', 'noisy', 'out_of_scope', 'near_miss'];
  const row = (label: string, os: Outcome[]) => {
    const ins = os.filter((o) => o.query.expect);
    const oos = os.filter((o) => !o.query.expect);
    const top1 = ins.filter((o) => o.answered === o.query.expect).length;
    const top3 = ins.filter(
      (o) => o.answered === o.query.expect || o.suggested.includes(o.query.expect!),
    ).length;
    // Answer + the first two entries 没用 offers = three entries seen.
    const top3d = ins.filter(
      (o) =>
        o.answered === o.query.expect ||
        o.suggested.includes(o.query.expect!) ||
        o.afterDown.slice(0, 2).includes(o.query.expect!),
    ).length;
    const fa = oos.filter((o) => o.answered).length;
    const cell = (n: number, w: number) => (ins.length ? pct(n, ins.length) : '').padStart(w);
    lines.push(
      `${label.padEnd(13)} ${String(os.length).padStart(3)}  ${cell(top1, 7)}  ${cell(top3, 11)}  ${cell(top3d, 13)}   ${oos.length ? `${pct(fa, oos.length)} (${fa}/${oos.length})` : ''}`,
    );
  };
  for (const k of kinds)
    row(
      k,
      outcomes.filter((o) => o.query.kind === k),
    );
  row(
    'in scope',
    outcomes.filter((o) => o.query.expect),
  );
  row(
    'not in KB',
    outcomes.filter((o) => !o.query.expect),
  );
  return lines;
}

function misses(outcomes: Outcome[]): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    const { q, expect, kind } = o.query;
    if (expect && o.answered === expect) continue;
    if (!expect && !o.answered) continue;
    const got = o.answered
      ? `answered ${o.answered}${o.afterDown.length ? `, 没用 → [${o.afterDown.join(', ')}]` : ''}`
      : o.suggested.length
        ? `did-you-mean [${o.suggested.join(', ')}]`
        : 'unknown';
    lines.push(`  [${kind}] ${q}\n      expected ${expect ?? '(no answer)'} · got ${got}`);
  }
  return lines;
}

/** Per query, what calibration needs (retrieval only, no Bot). */
function features(index: FaqIndex, queries: Query[]): LabelledResult[] {
  return queries.map((query, n) => ({ result: index.search(query.q, 5), expect: query.expect, n }));
}

/** Raw ranking figures and the best top-1 at ≤ 5 % false answers (calibration grid, floor 0.1). */
function sweep(rows: LabelledResult[]) {
  const ins = rows.filter((r) => r.expect);
  const best = fitRule(rows, { ...DEFAULT_GRID, suggestFloor: 0.1 });
  const raw1 = ins.filter((r) => r.result.hits[0]?.entry.id === r.expect).length;
  const raw3 = ins.filter((r) => r.result.hits.slice(0, 3).some((h) => h.entry.id === r.expect)).length;
  return {
    raw1: pct(raw1, ins.length),
    raw3: pct(raw3, ins.length),
    best,
    n: ins.length,
    oos: rows.length - ins.length,
  };
}

/** One line of figures: top-1, top-3 shown, false answers. */
function figures(s: ReturnType<typeof scoreRule>): string {
  return `top-1 ${pct(s.top1, s.covered)} (${s.top1}/${s.covered})  top-3 shown ${pct(s.top3, s.covered)}  false ${pct(s.falseAnswers, s.uncovered)} (${s.falseAnswers}/${s.uncovered})`;
}

const describe = (th: FaqThresholds) =>
  `answer ≥ ${th.answer} margin ≥ ${th.margin} floor ${th.suggestFloor} weights ${JSON.stringify(th.weights ?? {})}`;

/** Runs the evaluation; returns the report lines. */
export async function evalFaq(
  opts: EvalOptions & { showMisses?: boolean; calibrate?: boolean } = {},
): Promise<string[]> {
  const cfg = loadConfig();
  const thresholds = opts.thresholds ?? {
    answer: cfg.FAQ_ANSWER_THRESHOLD,
    margin: cfg.FAQ_MARGIN,
    suggestFloor: cfg.FAQ_SUGGEST_FLOOR,
    weights: {
      unknownPenalty: cfg.FAQ_UNKNOWN_PENALTY,
      unmatchedPenalty: cfg.FAQ_UNMATCHED_PENALTY,
      marginWeight: cfg.FAQ_MARGIN_WEIGHT,
      conceptWeight: cfg.FAQ_CONCEPT_WEIGHT,
    },
  };
  const content = await loadEvalContent(opts);
  const queries = await loadQueries(opts.queries ?? join(EVAL_DIR, 'queries.jsonl'));
  const index = createFaqIndex(content.entries, content.synonyms, { outOfScope: content.outOfScope });
  const outcomes = await runThroughBot(index, queries, thresholds);
  const lines = [
    `FAQ eval: ${content.entries.length} KB entries, ${queries.length} queries, ${describe(thresholds)}`,
    ...table(outcomes),
  ];

  lines.push(
    '',
    'Retrieval variants (raw = always answer the best match; best = own thresholds, ≤ 5% false):',
  );
  const variants: Array<[string, Segmenter, boolean | 'no-oos']> = [
    ['jieba + user dict + thesaurus + out-of-scope', jiebaSegmenter, true],
    ['Intl.Segmenter + bigrams + thesaurus + oos ', intlBigramSegmenter, true],
    ['jieba + thesaurus, no out-of-scope list    ', jiebaSegmenter, 'no-oos'],
    ['jieba, no thesaurus / out-of-scope list    ', jiebaSegmenter, false],
  ];
  const bestBy: number[] = [];
  for (const [label, segmenter, general] of variants) {
    const idx =
      general === true
        ? createFaqIndex(content.entries, content.synonyms, { outOfScope: content.outOfScope, segmenter })
        : general === 'no-oos'
          ? createFaqIndex(content.entries, content.synonyms, { segmenter })
          : createFaqIndex(content.entries, [], { segmenter });
    const rows = features(idx, queries);
    const s = sweep(rows);
    const atConfig = scoreRule(rows, thresholds).falseAnswers;
    bestBy.push(s.best.score.top1);
    lines.push(
      `  ${label}  raw top-1 ${s.raw1}  raw top-3 ${s.raw3}  best top-1 ${pct(s.best.score.top1, s.n)} (${s.best.score.falseAnswers}/${s.oos} false); false at configured thresholds ${atConfig}/${s.oos}`,
    );
  }
  const nIn = queries.filter((q) => q.expect).length;
  const winner = bestBy[0] >= bestBy[1] ? 'jieba + user dictionary' : 'Intl.Segmenter + bigrams';
  lines.push(`  → segmenter: ${winner} wins (best top-1 ${pct(bestBy[0], nIn)} vs ${pct(bestBy[1], nIn)})`);
  const rows = features(index, queries);
  const fitted = fitRule(rows, { ...DEFAULT_GRID, suggestFloor: thresholds.suggestFloor });
  const cv = crossValidate(
    rows,
    content.entries.map((e) => e.id),
    { ...DEFAULT_GRID, suggestFloor: thresholds.suggestFloor },
  );
  const w = thresholds.weights;
  const cvFixed = w
    ? crossValidate(
        rows,
        content.entries.map((e) => e.id),
        {
          ...DEFAULT_GRID,
          unknownPenalty: [w.unknownPenalty],
          unmatchedPenalty: [w.unmatchedPenalty],
          marginWeight: [w.marginWeight],
          conceptWeight: [w.conceptWeight ?? 0],
          suggestFloor: thresholds.suggestFloor,
        },
      )
    : undefined;
  lines.push(
    '',
    'Calibration (retrieval + decision, no bot):',
    `  configured             ${figures(scoreRule(rows, thresholds))}`,
    `  fitted on all          ${figures(fitted.score)}  — ${describe(fitted.thresholds)}`,
    `  2-fold CV by entry     ${figures(cv.score)}`,
    ...cv.folds.map((f, i) => `    fold ${i} fitted on the other fold: ${describe(f.thresholds)}`),
    ...(cvFixed
      ? [
          `  2-fold CV, configured weights, answer/margin fitted  ${figures(cvFixed.score)}`,
          ...cvFixed.folds.map(
            (f, i) => `    fold ${i}: answer ≥ ${f.thresholds.answer} margin ≥ ${f.thresholds.margin}`,
          ),
        ]
      : []),
  );
  if (opts.showMisses !== false) lines.push('', 'Misses:', ...misses(outcomes));
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  for (const line of await evalFaq({
    kb: arg('kb'),
    queries: arg('queries'),
    flows: arg('flows'),
    showMisses: !process.argv.includes('--no-misses'),
  }))
    console.log(line);
}
