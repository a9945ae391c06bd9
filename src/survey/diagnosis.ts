import type { Locale } from '../core/types.ts';
import { type Answers, type Condition, evalCondition } from './condition.ts';
import { LAYERS, type LayerName } from './diagnosis-schema.ts';
import { displayAnswer } from './display.ts';
import type { Survey } from './schema.ts';

/** A text in zh-CN and (when the content has it) en, answers already filled in. */
export interface LocalText {
  zh: string;
  en?: string;
}

/**
 * The diagnosis stored on a completed response (`responses/…`.diagnosis) and shown to the user.
 * - `painPoints`: every matching pain rule, highest `weight` first (YAML order on ties);
 *   the summary shows the first `top`;
 * - `bundle`: the recommended system bundle (first matching rule);
 * - `firstModule`: the first high-ROI module to put live (first matching rule, priority order);
 * - `roadmap`: 基础层 / 整合层 / 智能层 with the items whose conditions hold;
 * - `advice`: extra lines for the full report.
 */
export interface Diagnosis {
  painPoints: Array<LocalText & { id: string }>;
  top: number;
  bundle: LocalText & { id: string };
  firstModule: LocalText & { id: string; why?: LocalText };
  roadmap: Array<{ layer: LayerName; title: LocalText; items: LocalText[] }>;
  summaryItems: number;
  advice: Array<LocalText & { id: string }>;
}

/**
 * Computes the diagnosis of `answers` from the survey's YAML rules (nothing hard-coded here).
 * Pure.
 * @returns the diagnosis, or undefined when the survey has no `diagnosis:` section
 */
export function diagnose(survey: Survey, answers: Answers): Diagnosis | undefined {
  const rules = survey.diagnosis;
  if (!rules) return undefined;
  const holds = (c: Condition | undefined) => !c || evalCondition(c, answers);
  const fill = (text: string, locale: Locale) =>
    text.replace(/\{([^}]+)\}/g, (_, id: string) => {
      const q = survey.questions.find((x) => x.id === id);
      return q ? displayAnswer(q, answers[id], locale) : `{${id}}`;
    });
  const local = (r: { text: string; text_en?: string }): LocalText => ({
    zh: fill(r.text, 'zh-CN'),
    ...(r.text_en ? { en: fill(r.text_en, 'en') } : {}),
  });
  const pick = (list: typeof rules.bundles) => {
    // The schema guarantees a fallback rule without `when` at the end.
    const r = list.find((x) => holds(x.when)) ?? list[list.length - 1];
    return {
      id: r.id,
      ...local(r),
      ...(r.why ? { why: local({ text: r.why, text_en: r.why_en }) } : {}),
    };
  };
  const painPoints = rules.pain_points
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => holds(r.when))
    .sort((a, b) => b.r.weight - a.r.weight || a.i - b.i)
    .map(({ r }) => ({ id: r.id, ...local(r) }));
  const roadmap = LAYERS.map((layer) => {
    const l = rules.roadmap[layer];
    const items: LocalText[] = [];
    for (const it of l.items.filter((x) => holds(x.when)).map(local)) {
      if (!items.some((x) => x.zh === it.zh)) items.push(it);
    }
    return { layer, title: { zh: l.title, ...(l.title_en ? { en: l.title_en } : {}) }, items };
  });
  const bundle = pick(rules.bundles);
  return {
    painPoints,
    top: rules.top,
    bundle: { id: bundle.id, zh: bundle.zh, ...(bundle.en ? { en: bundle.en } : {}) },
    firstModule: pick(rules.first_module),
    roadmap,
    summaryItems: rules.summary_items,
    advice: rules.advice.filter((r) => holds(r.when)).map((r) => ({ id: r.id, ...local(r) })),
  };
}

/** Picks the locale's text of a {@link LocalText} (falls back to zh-CN). */
export const inLocale = (x: LocalText, locale: Locale): string => (locale === 'en' && x.en ? x.en : x.zh);
