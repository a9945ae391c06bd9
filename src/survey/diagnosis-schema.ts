import { z } from 'zod';
import { ConditionSchema } from './condition.ts';

/**
 * The `diagnosis:` section of a survey file: rules the rollout team tunes in YAML. Every rule
 * condition is data ({@link ConditionSchema}); texts may name answers as `{question_id}` (the
 * answer's label, or its number / text).
 *
 * ```yaml
 * diagnosis:
 *   top: 3                       # pain points shown in the summary
 *   pain_points:                 # every matching rule is a pain point, highest weight first
 *     - {id: inventory_lag, weight: 10, when: {question: inventory_lag_days, gte: 2},
 *        text: 库存数据滞后 {inventory_lag_days} 天, text_en: …}
 *   bundles:                     # first match wins; the last has no `when` (fallback)
 *     - {id: manufacturing, when: {question: company_type, in: [manufacturing]}, text: ERP + MES + SRM}
 *   first_module:                # priority order, first match wins; last one is the fallback
 *     - {id: inventory_scheduling, when: {all: [...]}, text: 进销存 + 生产排程模块, why: …}
 *   roadmap:
 *     foundation:   {title: 基础层（0–1 年）, items: [{text: 进销存, when: …}, …]}
 *     integration:  {title: 整合层（2–3 年）, items: […]}
 *     intelligence: {title: 智能层（3 年+）, items: […]}
 *   advice: [{id: cloud, when: …, text: …}]   # optional extra lines for the full report
 * ```
 */
const textPair = {
  text: z.string().trim().min(1),
  text_en: z.string().trim().min(1).optional(),
};

const PainRule = z.strictObject({
  id: z.string().min(1),
  when: ConditionSchema,
  weight: z.number().default(0),
  ...textPair,
});

const PickRule = z.strictObject({
  id: z.string().min(1),
  when: ConditionSchema.optional(),
  ...textPair,
  why: z.string().trim().min(1).optional(),
  why_en: z.string().trim().min(1).optional(),
});

const RoadmapItem = z.strictObject({ when: ConditionSchema.optional(), ...textPair });

const Layer = z.strictObject({
  title: z.string().trim().min(1),
  title_en: z.string().trim().min(1).optional(),
  items: z.array(RoadmapItem).min(1),
});

/** Fallback rule required last: a diagnosis must always recommend something. */
const withFallback = <T extends { when?: unknown }>(list: T[]) =>
  list.length > 0 && !list[list.length - 1].when;
const fallbackMessage = 'the last rule must have no `when` (the fallback when nothing else matches)';

export const DiagnosisRulesSchema = z.strictObject({
  top: z.number().int().min(1).max(10).default(3),
  /** Roadmap items per layer shown in the summary (the full report shows all). */
  summary_items: z.number().int().min(1).max(10).default(3),
  pain_points: z.array(PainRule).min(1),
  bundles: z.array(PickRule).min(1).refine(withFallback, fallbackMessage),
  first_module: z.array(PickRule).min(1).refine(withFallback, fallbackMessage),
  roadmap: z.strictObject({ foundation: Layer, integration: Layer, intelligence: Layer }),
  advice: z.array(PainRule.omit({ weight: true })).default([]),
});

/** Parsed diagnosis rules. */
export type DiagnosisRules = z.infer<typeof DiagnosisRulesSchema>;

/** Roadmap layers in order: 基础层, 整合层, 智能层. */
export const LAYERS = ['foundation', 'integration', 'intelligence'] as const;
export type LayerName = (typeof LAYERS)[number];
