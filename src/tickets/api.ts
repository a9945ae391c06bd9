import { stringify as csv } from 'csv-stringify/sync';
import express, { type Response, type Router } from 'express';
import { stringify as yaml } from 'yaml';
import { localTime } from '../calendar/time.ts';
import type { Store } from '../core/store.ts';
import { type Clock, systemClock } from '../core/types.ts';
import { type SlaState, slaState, type Ticket, type TicketStatus } from './model.ts';
import { listTickets, loadTicket, ticketId } from './repo.ts';

const STATUSES: readonly TicketStatus[] = ['open', 'claimed', 'resolved', 'closed', 'escalated'];
const SLA: readonly SlaState[] = ['ok', 'at_risk', 'breached'];

/** A draft FAQ entry in the `flows/faq/*.yaml` shape (CONTRACT.md "Content"). */
export interface FaqDraft {
  id: string;
  questions: string[];
  answer: string;
  tags: string[];
}

export interface TicketApiOptions {
  store: Store;
  clock?: Clock;
  /** Time zone of the CSV's local times (`BOT_TIMEZONE`). */
  tz?: string;
}

const fail = (res: Response, status: number, code: string, message: string) =>
  res.status(status).json({ error: { code, message } });

/** `a,b` / repeated query params → list of strings. */
function list(q: unknown): string[] {
  const raw = Array.isArray(q) ? q : q === undefined ? [] : [q];
  return raw
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Turns a resolved (or closed) ticket into a draft FAQ entry: its question, and the handlers'
 * replies in order as the answer (a placeholder when they only pressed 解决), its category as tag.
 */
export function faqDraft(tk: Ticket): FaqDraft {
  const replies = tk.events.filter((e) => e.type === 'replied' && e.text).map((e) => e.text!);
  return {
    id: `ticket-${tk.id.toLowerCase()}`,
    questions: [tk.question],
    answer: replies.length ? `${replies.join('\n\n')}\n` : '（请补充解决步骤）\n',
    tags: tk.category ? [tk.category] : [],
  };
}

/**
 * Admin routes for tickets, mounted under `/api` (bearer auth is the server's):
 * - `GET /tickets` — JSON array of tickets (ms UTC times) each with `sla` (`ok` | `at_risk` |
 *   `breached` at request time); filters `status` (comma list), `sla` (comma list), `handler`
 *   (user key); `?format=csv` gives UTF-8 CSV with BOM, local times in `tz`.
 * - `GET /tickets/:id/faq-draft` — {@link FaqDraft} from a resolved/closed ticket;
 *   `?format=yaml` gives it as a `flows/faq` file (`entries: [...]`).
 * Errors: 400 `bad_request` (unknown filter value, ticket not resolved yet), 404 `not_found`.
 */
export function createTicketApi(opts: TicketApiOptions): Router {
  const clock = opts.clock ?? systemClock;
  const tz = opts.tz ?? 'Asia/Shanghai';
  const local = (ms?: number) => {
    if (ms === undefined) return '';
    const { ymd, hh, mm, ss } = localTime(ms, tz);
    return `${ymd} ${[hh, mm, ss].map((n) => String(n).padStart(2, '0')).join(':')}`;
  };
  const router = express.Router();

  router.get('/tickets', async (req, res) => {
    const status = list(req.query.status);
    const sla = list(req.query.sla);
    const handler = list(req.query.handler);
    const badStatus = status.find((s) => !STATUSES.includes(s as TicketStatus));
    if (badStatus)
      return fail(res, 400, 'bad_request', `status must be one of ${STATUSES.join(', ')}; got ${badStatus}`);
    const badSla = sla.find((s) => !SLA.includes(s as SlaState));
    if (badSla) return fail(res, 400, 'bad_request', `sla must be one of ${SLA.join(', ')}; got ${badSla}`);
    const now = clock.now();
    const rows = (await listTickets(opts.store))
      .map((tk) => ({ ...tk, sla: slaState(tk, now) }))
      .filter((tk) => !status.length || status.includes(tk.status))
      .filter((tk) => !sla.length || sla.includes(tk.sla))
      .filter((tk) => !handler.length || (tk.handler !== undefined && handler.includes(tk.handler)));
    if (req.query.format !== 'csv') return res.json(rows);
    const body = csv(
      rows.map((tk) => ({
        id: tk.id,
        status: tk.status,
        level: tk.level,
        sla: tk.sla,
        requester: tk.requester,
        requesterName: tk.requesterName ?? '',
        handler: tk.handler ?? '',
        category: tk.category ?? '',
        question: tk.question,
        createdAt: local(tk.createdAt),
        dueAt: local(tk.dueAt),
        firstResponseAt: local(tk.firstResponseAt),
        breachedAt: local(tk.breachedAt),
      })),
      {
        bom: true,
        header: true,
        columns: [
          'id',
          'status',
          'level',
          'sla',
          'requester',
          'requesterName',
          'handler',
          'category',
          'question',
          'createdAt',
          'dueAt',
          'firstResponseAt',
          'breachedAt',
        ],
      },
    );
    res.type('text/csv; charset=utf-8').attachment('tickets.csv').send(body);
  });

  router.get('/tickets/:id/faq-draft', async (req, res) => {
    const id = ticketId(req.params.id);
    const tk = id && (await loadTicket(opts.store, id));
    if (!tk) return fail(res, 404, 'not_found', `no ticket ${req.params.id}`);
    if (tk.status !== 'resolved' && tk.status !== 'closed')
      return fail(
        res,
        400,
        'bad_request',
        `ticket ${tk.id} is ${tk.status}; only a resolved or closed ticket makes a draft`,
      );
    const draft = faqDraft(tk);
    if (req.query.format === 'yaml')
      return res.type('text/yaml; charset=utf-8').send(yaml({ entries: [draft] }));
    res.json(draft);
  });

  return router;
}
