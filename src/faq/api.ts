import express, { type Router } from 'express';
import type { Store } from '../core/store.ts';
import type { FaqIndex } from './faq-index.ts';
import { type FaqGap, GAPS, type GapReason, groupGaps } from './gaps.ts';

/** Options of {@link createFaqApi}. */
export interface FaqApiOptions {
  store: Store;
  /** The index, or a getter returning the current one (its thesaurus groups similar questions). */
  index: FaqIndex | (() => FaqIndex);
}

const REASONS: readonly GapReason[] = ['unknown', 'out_of_scope', 'disliked'];

/**
 * Admin routes for the FAQ, mounted under `/api` (bearer auth is the server's):
 * - `GET /faq/gaps` — unanswered and disliked questions grouped by similarity, most frequent
 *   first: `{"total": n, "groups": GapGroup[]}` (see `gaps.ts`; times ISO 8601 UTC). Filters:
 *   `since` (ISO time), `reason` (comma list of `unknown`, `out_of_scope`, `disliked`),
 *   `limit` (groups, default 100).
 * - `GET /faq/entries` — the loaded entries (`id`, `title`, `questions`, `tags`).
 * Errors: 400 `bad_request` on a bad filter value.
 */
export function createFaqApi(opts: FaqApiOptions): Router {
  const current = typeof opts.index === 'function' ? opts.index : () => opts.index as FaqIndex;
  const router = express.Router();

  router.get('/faq/gaps', async (req, res) => {
    const since = typeof req.query.since === 'string' ? Date.parse(req.query.since) : undefined;
    if (Number.isNaN(since)) return fail(res, 400, 'since must be an ISO 8601 time');
    const reasons =
      typeof req.query.reason === 'string' ? req.query.reason.split(',').map((r) => r.trim()) : [];
    const bad = reasons.find((r) => !REASONS.includes(r as GapReason));
    if (bad) return fail(res, 400, `reason must be one of ${REASONS.join(', ')}; got ${bad}`);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1) return fail(res, 400, 'limit must be a positive integer');
    const gaps = (await opts.store.list<FaqGap>(GAPS))
      .map((d) => d.value)
      .filter((g) => since === undefined || g.at >= since)
      .filter((g) => !reasons.length || reasons.includes(g.reason));
    const groups = groupGaps(gaps, (q) => current().analyze(q));
    res.json({ total: gaps.length, groups: groups.slice(0, limit) });
  });

  router.get('/faq/entries', (_req, res) => {
    res.json(
      current()
        .entries()
        .map((e) => ({
          id: e.id,
          title: e.title ?? e.questions[0],
          questions: e.questions,
          tags: e.tags ?? [],
        })),
    );
  });

  return router;
}

function fail(res: express.Response, status: number, message: string) {
  res.status(status).json({ error: { code: 'bad_request', message } });
}
