import { loadCalendarOverrides } from '../calendar/index.ts';
import type { ContentError } from '../core/errors.ts';
import { loadFaq } from '../faq/load.ts';
import { loadLessons } from '../lessons/load.ts';
import { loadMilestoneTemplates } from '../milestones/schema.ts';
import { loadSurveys } from '../survey/loader.ts';

/** All flow content, loaded and validated. */
export type Content = Awaited<ReturnType<typeof loadContent>>;

/**
 * Loads every content folder of `FLOWS_DIR` (surveys, lessons, FAQ, milestones, calendar).
 * A missing folder is valid (that feature has no content). Problems of all folders are collected
 * and thrown together, so one run of `rollout validate` shows them all.
 * @throws {ContentError} code `content_invalid`, each problem naming file, line, entry.
 */
export async function loadContent(flowsDir: string) {
  const { stat } = await import('node:fs/promises');
  const dir = await stat(flowsDir).catch(() => undefined);
  if (!dir?.isDirectory()) {
    const { ContentError: CE } = await import('../core/errors.ts');
    throw new CE([{ file: flowsDir, problem: 'FLOWS_DIR does not exist or is not a folder' }]);
  }
  const settled = await Promise.allSettled([
    loadSurveys(flowsDir),
    loadLessons(flowsDir),
    loadFaq(flowsDir),
    loadMilestoneTemplates(flowsDir),
    loadCalendarOverrides(flowsDir),
  ] as const);
  const errors = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason);
  if (errors.length) {
    const contentErrors = errors.filter(
      (e): e is ContentError => (e as ContentError)?.code === 'content_invalid',
    );
    if (contentErrors.length !== errors.length) throw errors.find((e) => !contentErrors.includes(e));
    const { ContentError: CE } = await import('../core/errors.ts');
    throw new CE(contentErrors.flatMap((e) => e.problems));
  }
  const [surveys, tracks, faq, templates, calendar] = settled.map(
    (s) => (s as PromiseFulfilledResult<unknown>).value,
  ) as [
    Awaited<ReturnType<typeof loadSurveys>>,
    Awaited<ReturnType<typeof loadLessons>>,
    Awaited<ReturnType<typeof loadFaq>>,
    Awaited<ReturnType<typeof loadMilestoneTemplates>>,
    Awaited<ReturnType<typeof loadCalendarOverrides>>,
  ];
  return { surveys, tracks, faq, templates, calendar };
}
