import { stringify } from 'csv-stringify/sync';
import express, { type Router } from 'express';
import { BadRequestError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import type { Clock } from '../core/types.ts';
import { systemClock } from '../core/types.ts';
import { sendError } from '../scheduler/api.ts';
import { listRoster, planUpsert } from './store.ts';
import { type RosterInput, RosterInputSchema, zodReasons } from './types.ts';

/**
 * Admin routes for the roster (the lead mounts them under `/api`, behind `ADMIN_TOKEN`):
 * - `GET /roster[?role=&department=]` → JSON array of roster users;
 * - `POST /roster` with one object or an array (`{userId, name, department?, roles?, manager?,
 *   timezone?, locale?}`; `roles` an array or a `;`/`、` separated string) → an upsert by
 *   `userId`; 200 `{imported, updated, unchanged}`. Any invalid entry → 400
 *   `{"error": {"code": "bad_request", "message", "details": [{index, problems}]}}` and nothing
 *   is written. Fields left out of an object keep their stored values.
 */
export function createRosterApi(o: { store: Store; clock?: Clock }): Router {
  const clock = o.clock ?? systemClock;
  const r = express.Router();

  r.get('/roster', async (req, res) => {
    try {
      const q = req.query as Record<string, unknown>;
      const role = typeof q.role === 'string' ? q.role : undefined;
      const department = typeof q.department === 'string' ? q.department : undefined;
      const users = await listRoster(o.store, { role, department });
      if (q.format === 'csv') {
        // The import format, so an export can be edited and imported back as it is.
        const rows = users.map((u) => [
          u.userId,
          u.name,
          u.department ?? '',
          u.roles.join(';'),
          u.manager ?? '',
          u.timezone ?? '',
        ]);
        const csv = stringify([['userId', 'name', 'department', 'roles', 'manager', 'timezone'], ...rows]);
        res.type('text/csv; charset=utf-8').send(`\uFEFF${csv}`);
        return;
      }
      res.json(users);
    } catch (e) {
      sendError(res, e);
    }
  });

  r.post('/roster', express.json({ limit: '5mb' }), async (req, res) => {
    try {
      const body: unknown = req.body;
      if (body === undefined || body === null || typeof body !== 'object')
        throw new BadRequestError('expected a JSON object or array of roster users');
      const list = Array.isArray(body) ? body : [body];
      const details: Array<{ index: number; problems: string[] }> = [];
      const entries: Array<{ input: RosterInput; present: ReadonlySet<string>; index: number }> = [];
      list.forEach((item, index) => {
        const parsed = RosterInputSchema.safeParse(item);
        if (parsed.success) {
          const keys = Object.keys(item as object).filter((k) => k !== 'userId');
          entries.push({ input: parsed.data, present: new Set(keys), index });
        } else details.push({ index, problems: zodReasons(parsed.error) });
      });
      const plan = await planUpsert(o.store, entries, clock.now());
      for (const p of plan.problems) details.push({ index: p.index, problems: [p.problem] });
      if (details.length) {
        details.sort((a, b) => a.index - b.index);
        const message = details.map((d) => `[${d.index}] ${d.problems.join('; ')}`).join(' | ');
        res.status(400).json({ error: { code: 'bad_request', message, details } });
        return;
      }
      if (plan.ops.length) await o.store.batch(plan.ops);
      res.json({ imported: plan.imported, updated: plan.updated, unchanged: plan.unchanged });
    } catch (e) {
      sendError(res, e);
    }
  });

  r.use(
    (
      err: { status?: number; message?: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (err?.status && err.status < 500) {
        res
          .status(err.status)
          .json({ error: { code: err.status === 413 ? 'too_large' : 'bad_request', message: err.message } });
      } else next(err);
    },
  );
  return r;
}
