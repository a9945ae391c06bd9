import { holdForQuietHours, type QuietHours } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Session } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { OutboxItemInput } from '../core/outbox.ts';
import type { Store } from '../core/store.ts';
import type { Locale } from '../core/types.ts';
import { readPerson } from '../lessons/roster-view.ts';
import { budget, formatDue, handlerButtons, M, requesterText } from './messages.ts';
import {
  type HandlerTarget,
  isActive,
  levelTwoTargets,
  parseHandler,
  resolveSettings,
  type Ticket,
  type TicketConfig,
  type TicketSettings,
} from './model.ts';
import { listTickets, type SlaMarks, TICKET_SLA } from './repo.ts';

/** Slot spacing of the `tickets-sla` job: one minute. */
export const SLA_TICK_MS = 60_000;

export interface TicketSlaJobOptions {
  store: Store;
  /** Only `enqueue` is used (items with dedupe keys). */
  outbox: { enqueue(items: OutboxItemInput[]): Promise<{ queued: number; skipped: number }> };
  config?: TicketConfig;
  calendar?: WorkCalendar;
  /** Already-normalized settings (tests); wins over `config` + `calendar`. */
  settings?: TicketSettings;
  /** Slot spacing, ms (default {@link SLA_TICK_MS}). */
  tickMs?: number;
  /**
   * Local quiet hours (`QUIET_HOURS_START`/`_END`): a reminder or nudge due inside them is held
   * until they end (outbox `notBefore`). Matters with natural-hour SLAs; none by default.
   */
  quietHours?: QuietHours;
}

/**
 * The ticket SLA job (`tickets-sla`). Its slots are every minute; each run reads the stored
 * deadlines (`remindAt`, `dueAt` of every ticket still waiting for a first response), so nothing
 * lives in memory and a restart loses nothing: whichever run comes first after a deadline — a
 * missed slot replayed on start, the next minute, or `POST /api/jobs/tickets-sla/run` — handles it.
 * - At `remindAt` (75 % of the budget): a reminder to the handlers, dedupe key
 *   `ticket:<id>:remind:<handler>`.
 * - At `dueAt` with no first response: a nudge to `TICKET_LEAD` (dedupe key `ticket:<id>:breach`;
 *   without a lead, to the handlers, `ticket:<id>:breach:<handler>`) written for the lead — the
 *   ticket, who asked what and since when, the budget and deadline, who the handlers are — with
 *   the buttons a handler has (认领 while unclaimed, 回复 / 解决 / 升级); the breach is recorded
 *   (collection `ticket-sla`). A run past `dueAt` skips the now-pointless reminder.
 * Exactly once: messages are queued first (the outbox skips used dedupe keys), then the mark
 * is written; a crash in between re-queues nothing on the next run.
 * @throws {ConfigError} code `config_invalid` on bad `WORK_HOURS` (at creation).
 */
export function createTicketSlaJob(opts: TicketSlaJobOptions): Job {
  const settings = resolveSettings(opts, 'createTicketSlaJob');
  const tick = opts.tickMs ?? SLA_TICK_MS;
  const { store, outbox } = opts;

  const localeOf = async (h: HandlerTarget): Promise<Locale> =>
    h.kind === 'user' ? ((await store.get<Session>('sessions', h.key))?.locale ?? 'zh-CN') : 'zh-CN';

  /** `notBefore` for a message planned at `atMs` when that falls in quiet hours. */
  const hold = (atMs: number): { notBefore?: number } => {
    const until = opts.quietHours ? holdForQuietHours(atMs, settings.sla.tz, opts.quietHours) : atMs;
    return until > atMs ? { notBefore: until } : {};
  };

  async function remind(tk: Ticket, atMs: number): Promise<OutboxItemInput[]> {
    const items: OutboxItemInput[] = [];
    for (const h of levelTwoTargets(settings, tk)) {
      const l = await localeOf(h);
      const key = `ticket:${tk.id}:remind:${h.key}`;
      items.push({
        to: h.address,
        message: {
          text: t(l, M.remind, {
            id: tk.id,
            due: formatDue(l, tk.dueAt, settings.sla.tz),
            question: tk.question,
          }),
          buttons: handlerButtons(l, tk.id, tk.handler ? ['reply', 'resolve', 'escalate'] : undefined),
        },
        idempotencyKey: key,
        dedupeKey: key,
        ...hold(atMs),
      });
    }
    return items;
  }

  /** `张工（dev:zhang）` when the roster knows the name, else the key (a group stays its key). */
  const nameOf = async (l: Locale, key: string): Promise<string> => {
    const name = (await readPerson(store, key))?.name;
    if (!name || name === key) return key;
    return l === 'en' ? `${name} (${key})` : `${name}（${key}）`;
  };

  /** Who handles it: the claimer, or every level-two target that was told. */
  async function handlersText(l: Locale, tk: Ticket): Promise<string> {
    if (tk.handler) return t(l, M.handlerClaimed, { who: await nameOf(l, tk.handler) });
    const told = await Promise.all(levelTwoTargets(settings, tk).map((h) => nameOf(l, h.key)));
    return t(l, M.handlersUnclaimed, { who: told.join(l === 'en' ? ', ' : '、') });
  }

  async function breach(tk: Ticket, atMs: number): Promise<OutboxItemInput[]> {
    const to = settings.lead ? [parseHandler(settings.lead)] : levelTwoTargets(settings, tk);
    const items: OutboxItemInput[] = [];
    for (const h of to) {
      const l = await localeOf(h);
      const key = settings.lead ? `ticket:${tk.id}:breach` : `ticket:${tk.id}:breach:${h.key}`;
      items.push({
        to: h.address,
        message: {
          text: t(l, M.breach, {
            id: tk.id,
            budget: budget(l, settings),
            due: formatDue(l, tk.dueAt, settings.sla.tz),
            requester: requesterText(tk),
            question: tk.question,
            since: formatDue(l, tk.createdAt, settings.sla.tz),
            handlers: await handlersText(l, tk),
          }),
          // what a handler has at this point: 认领 only while nobody has claimed it
          buttons: handlerButtons(l, tk.id, tk.handler ? ['reply', 'resolve', 'escalate'] : undefined),
        },
        idempotencyKey: key,
        dedupeKey: key,
        ...hold(atMs),
      });
    }
    return items;
  }

  return {
    name: 'tickets-sla',
    slots(fromMs, toMs) {
      const out: number[] = [];
      for (let s = Math.floor(fromMs / tick) * tick + tick; s <= toMs; s += tick) out.push(s);
      return out;
    },
    async run(atMs): Promise<JobRunResult> {
      let sent = 0;
      let reminded = 0;
      let breached = 0;
      for (const tk of await listTickets(store)) {
        const late = tk.firstResponseAt !== undefined && tk.firstResponseAt > tk.dueAt;
        if (tk.breachedAt !== undefined || (tk.firstResponseAt !== undefined && !late)) continue;
        if (!late && !isActive(tk)) continue;
        const marks = (await store.get<SlaMarks>(TICKET_SLA, tk.id)) ?? {};
        if (atMs >= tk.dueAt) {
          // Answered late while no run happened in between: record the breach, nudge nobody.
          if (!late) sent += (await outbox.enqueue(await breach(tk, atMs))).queued;
          breached++;
          const events = [...(marks.events ?? []), { at: atMs, type: 'breached' as const }];
          await store.put<SlaMarks>(TICKET_SLA, tk.id, { ...marks, breachedAt: tk.dueAt, events });
        } else if (atMs >= tk.remindAt && tk.remindedAt === undefined && !late) {
          sent += (await outbox.enqueue(await remind(tk, atMs))).queued;
          reminded++;
          const events = [...(marks.events ?? []), { at: atMs, type: 'reminded' as const }];
          await store.put<SlaMarks>(TICKET_SLA, tk.id, { ...marks, remindedAt: atMs, events });
        }
      }
      return { sent, reminded, breached };
    },
  };
}
