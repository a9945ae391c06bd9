import type { Categorize } from './ops.ts';

/** The shape of an FAQ search this needs (the FAQ index's `search(q, k)` result fits). */
export interface TaggedHits {
  hits: ReadonlyArray<{ entry: { tags?: readonly string[] }; score: number }>;
}

/**
 * A ticket category guess from the FAQ: the tag with the highest summed score over the best
 * `k` matches of the question (ties: the tag seen first), or undefined when none is tagged.
 * Pass a closure that reads the current index, so a content reload is picked up:
 * `tagCategorizer((q) => faq.current().search(q, 3))`.
 * @param k how many hits to weigh (default 3)
 */
export function tagCategorizer(search: (text: string) => TaggedHits, k = 3): Categorize {
  return (text) => {
    const score = new Map<string, number>();
    for (const hit of search(text).hits.slice(0, k)) {
      for (const tag of hit.entry.tags ?? []) score.set(tag, (score.get(tag) ?? 0) + Math.max(hit.score, 0));
    }
    let best: string | undefined;
    for (const [tag, s] of score) if (best === undefined || s > score.get(best)!) best = tag;
    return best;
  };
}
