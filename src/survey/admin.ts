import { stringify } from 'csv-stringify/sync';
import express, { type Router } from 'express';
import type { Store } from '../core/store.ts';
import type { AnswerValue } from './condition.ts';
import { RESPONSES, type SurveyResponse } from './responses.ts';
import type { Survey } from './schema.ts';

/** One row of `GET /surveys/:id/responses` (CONTRACT.md "Admin API"), plus `status`. */
export interface ResponseRow {
  userId: string;
  platform: string;
  startedAt: string;
  completedAt?: string;
  status: SurveyResponse['status'];
  answers: Record<string, AnswerValue>;
}

/** An answer as one CSV cell: multi joined with `;`, booleans `true`/`false`, absent empty. */
function cell(v: AnswerValue | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.join(';');
  return String(v);
}

/**
 * Responses of a survey as CSV: UTF-8 with a BOM (Excel then reads Chinese correctly), header
 * `userId,platform,status,startedAt,completedAt,<question ids…>`, one row per response.
 */
export function responsesCsv(survey: Survey, rows: ResponseRow[]): string {
  const ids = survey.questions.map((q) => q.id);
  const header = ['userId', 'platform', 'status', 'startedAt', 'completedAt', ...ids];
  const records = rows.map((r) => [
    r.userId,
    r.platform,
    r.status,
    r.startedAt,
    r.completedAt ?? '',
    ...ids.map((id) => cell(r.answers[id])),
  ]);
  return stringify([header, ...records], { bom: true, record_delimiter: '\r\n' });
}

/**
 * The survey admin routes (the caller mounts them under `/api` behind the bearer token):
 * - `GET /surveys` — the loaded surveys (JSON array of their definitions);
 * - `GET /surveys/:id/responses` — JSON array of {@link ResponseRow}, unfinished included,
 *   oldest user/time first; `?format=csv` gives {@link responsesCsv} as
 *   `text/csv; charset=utf-8`. An unknown survey id answers 404
 *   `{"error": {"code": "not_found", "message"}}`; an unknown format 400 `bad_request`.
 */
export function createSurveyApi(opts: { surveys: Survey[]; store: Store }): Router {
  const { surveys, store } = opts;
  const router = express.Router();

  router.get('/surveys', (_req, res) => {
    res.json(surveys);
  });

  router.get('/surveys/:id/responses', async (req, res) => {
    const survey = surveys.find((s) => s.id === req.params.id);
    if (!survey) {
      res.status(404).json({ error: { code: 'not_found', message: `no survey '${req.params.id}'` } });
      return;
    }
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    if (format !== 'json' && format !== 'csv') {
      res
        .status(400)
        .json({ error: { code: 'bad_request', message: `format must be json or csv, not '${format}'` } });
      return;
    }
    const docs = await store.list<SurveyResponse>(RESPONSES, { prefix: `${survey.id}/` });
    const rows: ResponseRow[] = docs.map(({ value: r }) => ({
      userId: r.userId,
      platform: r.platform,
      startedAt: r.startedAt,
      ...(r.completedAt ? { completedAt: r.completedAt } : {}),
      status: r.status,
      answers: r.answers,
    }));
    if (format === 'csv') {
      res
        .status(200)
        .set('Content-Type', 'text/csv; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="${survey.id}-responses.csv"`)
        .send(responsesCsv(survey, rows));
      return;
    }
    res.json(rows);
  });

  return router;
}
