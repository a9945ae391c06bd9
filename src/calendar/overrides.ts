import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlDir } from '../content/yaml-files.ts';
import { ContentError } from '../core/errors.ts';
import { addDays, daysBetween, isYmd } from './time.ts';

/**
 * Calendar overrides from content (`flows/calendar/*.yaml`): holidays and make-up workdays the
 * rollout team enters by date — a year the holiday package does not know yet, or company days.
 *
 * ```yaml
 * officialYears: [2027]          # optional: these files hold the whole announced arrangement
 *                                # of these years, so no estimates are made for them
 * holidays:
 *   - {date: 2027-01-01, name: 元旦}
 *   - {date: 2027-02-05, to: 2027-02-12, name: 春节}   # `to` (inclusive) makes a range
 * workdays:                      # make-up workdays (调休上班), typically a Saturday or Sunday
 *   - {date: 2027-02-14, name: 春节调休}
 * ```
 * Overrides win over the package's data and over estimates on the dates they name.
 */
const ymd = z.string().refine(isYmd, { message: 'expected a date YYYY-MM-DD' });

const DayEntry = z
  .object({
    date: ymd,
    to: ymd.optional(),
    name: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((e) => !e.to || (e.to >= e.date && daysBetween(e.date, e.to) <= 60), {
    message: '`to` must be on or after `date`, at most 60 days later',
    path: ['to'],
  });

export const CalendarFileSchema = z
  .object({
    officialYears: z.array(z.number().int().min(2000).max(2200)).optional(),
    holidays: z.array(DayEntry).optional(),
    workdays: z.array(DayEntry).optional(),
  })
  .strict();

export type CalendarFile = z.infer<typeof CalendarFileSchema>;

/** Overrides merged from all files: date → name. */
export interface CalendarOverrides {
  holidays: Map<string, string>;
  workdays: Map<string, string>;
  /** Years declared complete by content (no estimates for them). */
  officialYears: Set<number>;
}

/** An empty override set. */
export function noOverrides(): CalendarOverrides {
  return { holidays: new Map(), workdays: new Map(), officialYears: new Set() };
}

/**
 * Merges parsed calendar files. A date listed as both holiday and workday, or twice with
 * different names, is a content error.
 * @throws {ContentError} code `content_invalid`, naming the file and date.
 */
export function mergeCalendarFiles(files: Array<{ file: string; data: CalendarFile }>): CalendarOverrides {
  const out = noOverrides();
  const seen = new Map<string, { file: string; kind: 'holiday' | 'workday'; name: string }>();
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const { file, data } of files) {
    for (const y of data.officialYears ?? []) out.officialYears.add(y);
    for (const [kind, list] of [
      ['holiday', data.holidays ?? []],
      ['workday', data.workdays ?? []],
    ] as const) {
      for (const e of list) {
        const name = e.name ?? (kind === 'holiday' ? '假日' : '调休上班');
        for (let d = e.date; d <= (e.to ?? e.date); d = addDays(d, 1)) {
          const prev = seen.get(d);
          if (prev && (prev.kind !== kind || prev.name !== name)) {
            problems.push({
              file,
              entry: d,
              problem: `${d} is already a ${prev.kind} (${prev.name}) in ${prev.file}`,
            });
            continue;
          }
          seen.set(d, { file, kind, name });
          (kind === 'holiday' ? out.holidays : out.workdays).set(d, name);
        }
      }
    }
  }
  if (problems.length) throw new ContentError(problems);
  return out;
}

/**
 * Loads `<flowsDir>/calendar/*.yaml`. A missing folder means no overrides.
 * @param flowsDir the `FLOWS_DIR` root (e.g. `./flows`).
 * @throws {ContentError} code `content_invalid` with file, line and problem.
 */
export async function loadCalendarOverrides(flowsDir: string): Promise<CalendarOverrides> {
  return mergeCalendarFiles(await loadYamlDir(join(flowsDir, 'calendar'), CalendarFileSchema));
}
