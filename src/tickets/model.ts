import type { Config } from '../config.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Address, Locale, UserKey } from '../core/types.ts';
import { directAddress, PLATFORMS, type Platform } from '../core/types.ts';
import { parseWorkHours, type SlaCalendar } from './sla.ts';

/** Ticket life cycle. `resolved` waits for the requester's confirmation; `closed` is final. */
export type TicketStatus = 'open' | 'claimed' | 'resolved' | 'closed' | 'escalated';

/** What happened to a ticket, oldest first. `by` is a user key; `text` the relayed words. */
export interface TicketEvent {
  /** ms since epoch (UTC). */
  at: number;
  type:
    | 'created'
    | 'claimed'
    | 'replied' // a handler's words relayed to the requester
    | 'answered' // the requester's words relayed to the handler(s)
    | 'resolved'
    | 'confirmed'
    | 'reopened'
    | 'escalated'
    | 'reminded'
    | 'breached';
  by?: UserKey;
  text?: string;
}

/**
 * A level-two ticket (collection `tickets`, key = `id` = `T<n>`). Times are ms since epoch (UTC).
 * `remindedAt` / `breachedAt` are kept by the SLA job in collection `ticket-sla` and merged in by
 * {@link ../tickets/repo.ts loadTicket}, so the job never overwrites a turn's write.
 */
export interface Ticket {
  id: string;
  requester: UserKey;
  /** Where the question was asked; relays to the requester go here. */
  requesterAddress: Address;
  requesterName?: string;
  /** The requester's locale when the ticket was opened. */
  locale: Locale;
  question: string;
  /** The requester's last turns before the ticket (from `session.recent`). */
  history: Array<{ at: number; from: 'user' | 'bot'; text: string }>;
  category?: string;
  status: TicketStatus;
  level: 2 | 3;
  /** The handler who claimed it (user key). */
  handler?: UserKey;
  createdAt: number;
  /** First handler words reaching the requester (reply, resolve or escalate): the SLA is met when ≤ `dueAt`. */
  firstResponseAt?: number;
  /** 75 % of the SLA budget: reminder to the handlers. */
  remindAt: number;
  /** The SLA deadline: first response due. */
  dueAt: number;
  remindedAt?: number;
  breachedAt?: number;
  events: TicketEvent[];
}

/**
 * Records a handler's first words to the requester (reply, resolve or escalate; claiming alone is
 * not a response): sets `firstResponseAt` once, and makes `by` the handler if nobody claimed it.
 * @param at ms since epoch (UTC)
 */
export function markResponded(t: Ticket, by: UserKey, at: number): void {
  t.firstResponseAt ??= at;
  t.handler ??= by;
}

/** SLA state for lists and filters. */
export type SlaState = 'ok' | 'at_risk' | 'breached';

/** Tickets still waiting on level two (the SLA clock runs). */
export const isActive = (t: Ticket): boolean => t.status === 'open' || t.status === 'claimed';

/**
 * SLA state at `now` (ms UTC): `breached` when the first response came late or is still missing
 * after `dueAt`; `at_risk` when still missing after the 75 % point; else `ok`.
 */
export function slaState(t: Ticket, now: number): SlaState {
  if (t.breachedAt !== undefined) return 'breached';
  if (t.firstResponseAt !== undefined) return t.firstResponseAt > t.dueAt ? 'breached' : 'ok';
  if (!isActive(t)) return 'ok';
  if (now >= t.dueAt) return 'breached';
  return now >= t.remindAt ? 'at_risk' : 'ok';
}

/**
 * A ticket handler target from `TICKET_HANDLERS`:
 * - `<platform>:<userId>` — one person (`wecom:lisi`, `dev:it1`);
 * - `<platform>:group:<chatId>` — a group chat (`dingtalk:group:cidXXXX`, `feishu:group:oc_…`,
 *   `slack:group:C0123`); anyone who acts from that group counts as a handler.
 */
export type HandlerTarget =
  | { kind: 'user'; key: UserKey; address: Address }
  | { kind: 'group'; key: string; address: Address };

/**
 * Parses one `TICKET_HANDLERS` entry.
 * @throws {Error} when the entry has no known platform prefix.
 */
export function parseHandler(spec: string): HandlerTarget {
  const m = /^([a-z]+):group:(.+)$/.exec(spec);
  if (m && PLATFORMS.includes(m[1] as Platform)) {
    return {
      kind: 'group',
      key: spec,
      address: { platform: m[1] as Platform, chatId: m[2], chatType: 'group' },
    };
  }
  return { kind: 'user', key: spec, address: directAddress(spec) };
}

/** Who hears about a ticket on level two: its handler once claimed, else every handler (or the lead). */
export function levelTwoTargets(s: TicketSettings, tk: Ticket): HandlerTarget[] {
  if (tk.handler) return [parseHandler(tk.handler)];
  if (s.handlers.length) return s.handlers;
  return s.lead ? [parseHandler(s.lead)] : [];
}

/** Everything tickets need, normalized from config. */
export interface TicketSettings {
  handlers: HandlerTarget[];
  /** Gets the breach nudge; without one the handlers get it. */
  lead?: UserKey;
  /** Level-three contact: a user key (then the escalation is pushed there) or free text (name, phone, e-mail). */
  vendor?: string;
  /** First-response budget in hours. */
  slaHours: number;
  sla: SlaCalendar;
}

/** The config slice tickets read (pass the whole {@link Config}). */
export type TicketConfig = Pick<
  Config,
  | 'TICKET_HANDLERS'
  | 'TICKET_LEAD'
  | 'TICKET_VENDOR'
  | 'TICKET_SLA_HOURS'
  | 'TICKET_SLA_CALENDAR'
  | 'WORK_HOURS'
  | 'BOT_TIMEZONE'
>;

/**
 * Builds {@link TicketSettings} from config and the working-day calendar.
 * @throws {ConfigError} code `config_invalid` on bad `WORK_HOURS`; {@link Error} on a handler
 *   entry without a platform prefix.
 */
export function ticketSettings(config: TicketConfig, calendar: WorkCalendar): TicketSettings {
  return {
    handlers: config.TICKET_HANDLERS.map(parseHandler),
    lead: config.TICKET_LEAD,
    vendor: config.TICKET_VENDOR,
    slaHours: config.TICKET_SLA_HOURS,
    sla: {
      mode: config.TICKET_SLA_CALENDAR,
      calendar,
      tz: config.BOT_TIMEZONE,
      workHours: parseWorkHours(config.WORK_HOURS),
    },
  };
}

/** True when `key` parses as a platform-prefixed user key. */
export function isUserKey(key: string): boolean {
  const i = key.indexOf(':');
  return i > 0 && PLATFORMS.includes(key.slice(0, i) as Platform) && !/\s/.test(key);
}

/**
 * `opts.settings`, or settings built from `opts.config` and `opts.calendar`.
 * @throws {TypeError} when neither is given; {@link ConfigError} as {@link ticketSettings}.
 */
export function resolveSettings(
  opts: { settings?: TicketSettings; config?: TicketConfig; calendar?: WorkCalendar },
  who: string,
): TicketSettings {
  if (opts.settings) return opts.settings;
  if (opts.config && opts.calendar) return ticketSettings(opts.config, opts.calendar);
  throw new TypeError(`${who} needs settings, or config and calendar`);
}
