import type { Locale } from '../core/types.ts';
import type { AnswerValue } from './condition.ts';
import type { Question } from './schema.ts';

/**
 * An answer as a person reads it, in `locale`: option labels (several joined by 、 or `, `),
 * 是/否 (Yes/No), numbers with the question's unit, dates and texts as stored.
 */
export function displayAnswer(q: Question, v: AnswerValue | undefined, locale: Locale): string {
  if (v === undefined) return '—';
  const en = locale === 'en';
  const label = (value: string) => {
    const o = q.options?.find((x) => x.value === value);
    return o ? (en && o.label_en ? o.label_en : o.label) : value;
  };
  switch (q.type) {
    case 'single':
      return label(String(v));
    case 'multi':
      return (Array.isArray(v) ? v : [String(v)]).map(label).join(en ? ', ' : '、');
    case 'yesno':
      return v === true ? (en ? 'Yes' : '是') : en ? 'No' : '否';
    default:
      return String(v);
  }
}
