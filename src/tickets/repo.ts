import type { TurnTx } from '../core/feature.ts';
import type { Store } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import type { Ticket, TicketEvent } from './model.ts';

/** Collection of tickets, key `T<n>`. */
export const TICKETS = 'tickets';
/** SLA marks written only by the SLA job, key `T<n>`: {@link SlaMarks}. */
export const TICKET_SLA = 'ticket-sla';
/** Id reservations (atomic `claim`), key `T<n>`. */
const IDS = 'ticket-ids';
/** Counter doc `counters/tickets` = `{next}`: where the id search starts. */
const COUNTERS = 'counters';
/**
 * What a requester's next message means, key `<requesterKey>|<ticketId>`: `answer` (relay it to
 * the handler) or `confirm` (已解决 / 未解决 typed as text).
 */
export const AWAITING = 'ticket-awaiting';

/** The SLA job's own record of a ticket. */
export interface SlaMarks {
  remindedAt?: number;
  breachedAt?: number;
  events?: TicketEvent[];
}

export interface Awaiting {
  id: string;
  kind: 'answer' | 'confirm';
  since: number;
}

/** Parses `T12` / `t12` / `Ｔ１２` into the canonical id `T12`, or undefined. */
export function ticketId(s: string): string | undefined {
  const m = /^t(\d{1,9})$/i.exec(s.normalize('NFKC').trim());
  return m ? `T${Number(m[1])}` : undefined;
}

/**
 * Reserves the next free ticket id. The reservation is an atomic insert in the store (two
 * requesters at once never share an id); the counter write is staged in `tx`. An id reserved by a
 * turn that later failed is skipped (a gap, never a duplicate).
 * @returns `T<n>`
 */
export async function reserveTicketId(store: Store, tx: TurnTx, now: number): Promise<string> {
  let n = (await tx.get<{ next: number }>(COUNTERS, TICKETS))?.next ?? 1;
  while (!(await store.claim(IDS, `T${n}`, { at: now }))) n++;
  tx.put(COUNTERS, TICKETS, { next: n + 1 });
  return `T${n}`;
}

/** Merges the SLA job's marks into a stored ticket. */
export function withMarks(t: Ticket, marks: SlaMarks | undefined): Ticket {
  if (!marks) return t;
  const events = [...t.events, ...(marks.events ?? [])].sort((a, b) => a.at - b.at);
  return {
    ...t,
    remindedAt: marks.remindedAt ?? t.remindedAt,
    breachedAt: marks.breachedAt ?? t.breachedAt,
    events,
  };
}

/** Strips the job-owned fields before a turn writes a ticket back (they live in `ticket-sla`). */
function own(t: Ticket): Ticket {
  const { remindedAt: _r, breachedAt: _b, ...rest } = t;
  return { ...rest, events: t.events.filter((e) => e.type !== 'reminded' && e.type !== 'breached') };
}

/** Reads one ticket through a turn's staged view (marks merged), or undefined. */
export async function loadTicket(tx: Pick<TurnTx, 'get'>, id: string): Promise<Ticket | undefined> {
  const t = await tx.get<Ticket>(TICKETS, id);
  return t && withMarks(t, await tx.get<SlaMarks>(TICKET_SLA, id));
}

/** Stages a ticket write (without the job-owned fields). */
export function saveTicket(tx: TurnTx, t: Ticket): void {
  tx.put(TICKETS, t.id, own(t));
}

/** Every ticket, marks merged, ascending by id number. */
export async function listTickets(store: Pick<Store, 'list'>): Promise<Ticket[]> {
  const marks = new Map((await store.list<SlaMarks>(TICKET_SLA)).map((e) => [e.key, e.value]));
  return (await store.list<Ticket>(TICKETS))
    .map((e) => withMarks(e.value, marks.get(e.key)))
    .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}

/**
 * How long a requester's next message stays bound to a ticket: 2 days for an answer to a
 * handler, 7 for 已解决 / 未解决. After that their messages go to the FAQ again.
 */
export const AWAITING_TTL_MS = { answer: 2 * 86_400_000, confirm: 7 * 86_400_000 } as const;

/** Stages what the requester's next message means for ticket `id` (expires, {@link AWAITING_TTL_MS}). */
export function setAwaiting(tx: TurnTx, requester: UserKey, a: Awaiting): void {
  tx.put(AWAITING, `${requester}|${a.id}`, a, { ttlMs: AWAITING_TTL_MS[a.kind] });
}

/** Stages clearing the requester's pending answer for ticket `id`. */
export function clearAwaiting(tx: TurnTx, requester: UserKey, id: string): void {
  tx.delete(AWAITING, `${requester}|${id}`);
}

/** The requester's pending answers, most recent first. */
export async function awaitingFor(tx: Pick<TurnTx, 'list'>, requester: UserKey): Promise<Awaiting[]> {
  return (await tx.list<Awaiting>(AWAITING, { prefix: `${requester}|` }))
    .map((e) => e.value)
    .sort((a, b) => b.since - a.since);
}
