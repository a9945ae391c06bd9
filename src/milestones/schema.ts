import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlDir } from '../content/yaml-files.ts';
import { ContentError } from '../core/errors.ts';

/**
 * Plan templates (`flows/milestones/*.yaml`): milestones with offsets in working days from the
 * plan's start date, then optional recurring ones (e.g. 季度复盘 every 3 months after 全量推广).
 */

const text = z.string().trim().min(1, 'must not be empty');
/** Ids travel in button values (`milestone:done:<planId>:<msId>`), so no `:` or spaces. */
export const MilestoneId = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'id must be letters, digits, "_" or "-" (e.g. pilot), at most 64',
  );

/** One template milestone: title and working-day offset from the plan's start. */
export const TemplateMilestoneSchema = z.object({
  id: MilestoneId,
  title: text,
  title_en: text.optional(),
  /** Working days after the plan's start date (0 = the start date itself). */
  offset: z.number().int('offset must be a whole number of working days').min(0),
});

/** A recurring series after a template milestone (e.g. 季度复盘 every 3 months). */
export const RecurringSchema = z.object({
  id: MilestoneId,
  title: text,
  title_en: text.optional(),
  /** The template milestone the series follows. */
  after: MilestoneId,
  everyMonths: z.number().int().min(1).max(24),
  /** How many occurrences a new plan gets (default 4). */
  count: z.number().int().min(1).max(20).default(4),
});

/** A plan template file. */
export const TemplateSchema = z
  .object({
    id: MilestoneId,
    title: text,
    title_en: text.optional(),
    milestones: z.array(TemplateMilestoneSchema).min(1, 'a template needs at least one milestone'),
    recurring: z.array(RecurringSchema).optional(),
  })
  .superRefine((tpl, ctx) => {
    const ids = new Set<string>();
    tpl.milestones.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({
          code: 'custom',
          path: ['milestones', i, 'id'],
          message: `duplicate milestone id ${m.id}`,
        });
      ids.add(m.id);
      const prev = tpl.milestones[i - 1];
      if (prev && m.offset < prev.offset)
        ctx.addIssue({
          code: 'custom',
          path: ['milestones', i, 'offset'],
          message: `offset ${m.offset} is before the previous milestone's ${prev.offset}`,
        });
    });
    tpl.recurring?.forEach((r, i) => {
      if (!ids.has(r.after))
        ctx.addIssue({
          code: 'custom',
          path: ['recurring', i, 'after'],
          message: `no milestone ${r.after} in this template`,
        });
      if (ids.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['recurring', i, 'id'],
          message: `id ${r.id} is also a milestone id`,
        });
    });
  });
/** A parsed plan template. */
export type PlanTemplate = z.infer<typeof TemplateSchema>;

/**
 * Loads every plan template from `<flowsDir>/milestones/*.yaml`. A missing folder gives `[]`.
 * @throws {ContentError} code `content_invalid` (file, line, entry, problem), also for a template
 *   id used in two files.
 */
export async function loadMilestoneTemplates(flowsDir: string): Promise<PlanTemplate[]> {
  const files = await loadYamlDir(join(flowsDir, 'milestones'), TemplateSchema);
  const seen = new Map<string, string>();
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const { file, data } of files) {
    const first = seen.get(data.id);
    if (first)
      problems.push({ file, entry: data.id, problem: `template id ${data.id} is already used in ${first}` });
    else seen.set(data.id, file);
  }
  if (problems.length) throw new ContentError(problems);
  return files.map((f) => f.data);
}
