import type { FaqEntry } from './schema.ts';

/**
 * What a question asks *about*, beyond its topic. A how-to knowledge base answers "how" and
 * "where"; a question asking *when* or *how long* ("…什么时候能到", "多久能批下来") wants a date or
 * a status about that topic, which a how-to entry does not give unless its own questions ask
 * about time too. Language knowledge, not domain content: the words are Chinese question words
 * for time, after normalization (simplified, lower case).
 */
const TIMING = /什么时候|啥时候|甚么时候|多久|多长时间|多少天|何时|几号|哪天|哪一天|几点/u;

/** Whether a normalized question asks when / how long. */
export function asksTiming(normalized: string): boolean {
  return TIMING.test(normalized);
}

/**
 * Whether `entry` can answer a when / how-long question: one of its own questions or symptom
 * phrasings asks about time as well (its answer text merely mentioning a duration is not enough).
 */
export function answersTiming(entry: FaqEntry): boolean {
  return [...entry.questions, ...(entry.symptoms ?? [])].some((q) => TIMING.test(q));
}
