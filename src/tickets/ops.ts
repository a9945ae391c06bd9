import type { Outcome, TurnContext } from '../core/feature.ts';
import { handled } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { Locale, OutgoingMessage } from '../core/types.ts';
import { isHandler, localeOf, pushRequester, pushTo } from './audience.ts';
import { escalate } from './escalate.ts';
import {
  answerButton,
  categoryText,
  formatDue,
  handlerButtons,
  historyText,
  M,
  promise,
  requesterText,
  statusText,
} from './messages.ts';
import { isActive, levelTwoTargets, markResponded, type Ticket, type TicketSettings } from './model.ts';
import { clearAwaiting, loadTicket, reserveTicketId, saveTicket, setAwaiting, TICKETS } from './repo.ts';
import { addWorkingHours } from './sla.ts';

/** Guesses a category (e.g. the FAQ tag of the best matches) from the question text. */
export type Categorize = (text: string) => string | undefined | Promise<string | undefined>;

/** What the ticket operations share. */
export interface TicketEnv {
  settings: TicketSettings;
  categorize?: Categorize;
}

const reply = (text: string, extra?: Partial<OutgoingMessage>): Outcome => handled({ text, ...extra });

/** How a handler appears to the requester: their display name when the platform gave one. */
const whoText = (ctx: TurnContext, l: Locale) => ctx.message.userName ?? t(l, M.who);

/**
 * Opens a ticket for the speaker: reserves `T<n>`, computes the 75 % and 100 % SLA instants from
 * the turn time, posts it to the handlers with 认领 / 回复 / 解决 / 升级 and confirms to the
 * requester with the SLA promise. With no handler and no lead configured the ticket is still
 * opened (the rollout team sees it in `GET /api/tickets`) and the requester is told so, without
 * a promised reply time.
 */
export async function openTicket(ctx: TurnContext, env: TicketEnv, question: string): Promise<Outcome> {
  const s = env.settings;
  const l = ctx.locale;
  // A second tap on 转人工 for the same question must not open a second ticket.
  const same = (await ctx.tx.list<Ticket>(TICKETS))
    .map((e) => e.value)
    .find(
      (x) =>
        x.requester === ctx.userKey && x.question === question && (isActive(x) || x.status === 'escalated'),
    );
  if (same) return reply(t(l, M.duplicate, { id: same.id, due: formatDue(l, same.dueAt, s.sla.tz) }));
  const id = await reserveTicketId(ctx.store, ctx.tx, ctx.now);
  const tk: Ticket = {
    id,
    requester: ctx.userKey,
    requesterAddress: ctx.message.address,
    ...(ctx.message.userName ? { requesterName: ctx.message.userName } : {}),
    locale: l,
    question,
    history: [...(ctx.session.recent ?? [])],
    category: (await env.categorize?.(question)) ?? undefined,
    status: 'open',
    level: 2,
    createdAt: ctx.now,
    remindAt: addWorkingHours(ctx.now, s.slaHours * 0.75, s.sla),
    dueAt: addWorkingHours(ctx.now, s.slaHours, s.sla),
    events: [{ at: ctx.now, type: 'created', by: ctx.userKey, text: question }],
  };
  if (tk.category === undefined) delete tk.category;
  saveTicket(ctx.tx, tk);
  await pushTo(ctx, levelTwoTargets(s, tk), (hl) => ({
    text: t(hl, M.newTicket, {
      id,
      category: categoryText(tk),
      requester: requesterText(tk),
      question,
      history: historyText(hl, tk),
      due: formatDue(hl, tk.dueAt, s.sla.tz),
    }),
    buttons: handlerButtons(hl, id),
  }));
  // No handler or lead configured yet: the ticket is kept (GET /api/tickets) but nobody was
  // told, so promise no reply time.
  if (!s.handlers.length && !s.lead) return reply(t(l, M.createdUnassigned, { id }));
  return reply(t(l, M.created, { id, promise: promise(l, s), due: formatDue(l, tk.dueAt, s.sla.tz) }));
}

/** Verbs a ticket accepts: handler verbs and the requester's confirmation. */
export type Verb = 'claim' | 'reply' | 'resolve' | 'escalate' | 'confirm' | 'reopen';

/**
 * Runs one verb on ticket `id` for the speaker, checking existence, permission and state.
 * `text` is the reply body (verb `reply`); without it `reply` starts the reply flow.
 */
export async function act(
  ctx: TurnContext,
  env: TicketEnv,
  verb: Verb,
  id: string,
  text?: string,
): Promise<Outcome> {
  const l = ctx.locale;
  const tk = await loadTicket(ctx.tx, id);
  if (!tk) return reply(t(l, M.notFound, { id }));
  const handler = isHandler(ctx, env.settings);
  const requester = tk.requester === ctx.userKey;
  const requesterVerb = verb === 'confirm' || verb === 'reopen';
  if (requesterVerb ? !requester : verb === 'reply' ? !handler && !requester : !handler) {
    return reply(t(l, requesterVerb || verb === 'reply' ? M.notYours : M.refused, { id }));
  }
  const stateMsg = () => reply(t(l, M.state, { id, status: statusText(l, tk.status) }));
  if (tk.status === 'closed') return stateMsg();
  switch (verb) {
    case 'claim':
      return claim(ctx, tk);
    case 'reply': {
      if (text === undefined) {
        ctx.session.active = { feature: 'ticket', data: { step: 'reply', id } };
        return reply(t(l, M.replyPrompt, { id }));
      }
      if (!text.trim()) return reply(t(l, M.emptyReply, { id }));
      return handler ? handlerReply(ctx, tk, text.trim()) : requesterAnswer(ctx, env, tk, text.trim());
    }
    case 'resolve':
      if (tk.status === 'resolved') return stateMsg();
      return resolve(ctx, tk);
    case 'escalate':
      if (tk.status === 'escalated') return stateMsg();
      return escalate(ctx, env.settings, tk);
    case 'confirm':
    case 'reopen':
      if (tk.status !== 'resolved') return stateMsg();
      return verb === 'confirm' ? confirm(ctx, env, tk) : reopen(ctx, env, tk);
  }
}

async function claim(ctx: TurnContext, tk: Ticket): Promise<Outcome> {
  const l = ctx.locale;
  if (tk.handler && tk.handler !== ctx.userKey) {
    return reply(t(l, M.alreadyClaimed, { id: tk.id, handler: tk.handler }));
  }
  tk.handler = ctx.userKey;
  if (tk.status === 'open') tk.status = 'claimed';
  tk.events.push({ at: ctx.now, type: 'claimed', by: ctx.userKey });
  saveTicket(ctx.tx, tk);
  const rl = await localeOf(ctx, tk.requester);
  pushRequester(ctx, tk, { text: t(rl, M.claimedNotice, { id: tk.id, who: whoText(ctx, rl) }) });
  return reply(t(l, M.claimedOk, { id: tk.id }), {
    buttons: handlerButtons(l, tk.id, ['reply', 'resolve', 'escalate']),
  });
}

/**
 * A handler's words relayed to the requester with a 回复 button (`ticket:answer:<id>`); the
 * requester's own next message is NOT bound to the ticket (it goes to the FAQ) unless they tap
 * 回复, type its number (1) or its label, or send `回复 <id> …`.
 */
async function handlerReply(ctx: TurnContext, tk: Ticket, text: string): Promise<Outcome> {
  markResponded(tk, ctx.userKey, ctx.now);
  if (tk.status === 'open') tk.status = 'claimed';
  tk.events.push({ at: ctx.now, type: 'replied', by: ctx.userKey, text });
  saveTicket(ctx.tx, tk);
  setAwaiting(ctx.tx, tk.requester, { id: tk.id, kind: 'answer', since: ctx.now });
  const rl = await localeOf(ctx, tk.requester);
  pushRequester(ctx, tk, {
    text: t(rl, M.relayToRequester, { id: tk.id, who: whoText(ctx, rl), text }),
    buttons: [answerButton(rl, tk.id)],
  });
  return reply(t(ctx.locale, M.replySent, { id: tk.id }));
}

/** The requester's words on their ticket, relayed to its handler (or every handler). */
export async function requesterAnswer(
  ctx: TurnContext,
  env: TicketEnv,
  tk: Ticket,
  text: string,
): Promise<Outcome> {
  tk.events.push({ at: ctx.now, type: 'answered', by: ctx.userKey, text });
  saveTicket(ctx.tx, tk);
  clearAwaiting(ctx.tx, tk.requester, tk.id);
  await pushTo(ctx, levelTwoTargets(env.settings, tk), (hl) => ({
    text: t(hl, M.relayToHandler, { id: tk.id, requester: requesterText(tk), text }),
    buttons: handlerButtons(hl, tk.id, ['reply', 'resolve']),
  }));
  return reply(t(ctx.locale, M.answerSent, { id: tk.id }));
}

async function resolve(ctx: TurnContext, tk: Ticket): Promise<Outcome> {
  markResponded(tk, ctx.userKey, ctx.now);
  tk.status = 'resolved';
  tk.events.push({ at: ctx.now, type: 'resolved', by: ctx.userKey });
  saveTicket(ctx.tx, tk);
  setAwaiting(ctx.tx, tk.requester, { id: tk.id, kind: 'confirm', since: ctx.now });
  const rl = await localeOf(ctx, tk.requester);
  pushRequester(ctx, tk, {
    text: t(rl, M.resolvedAsk, { id: tk.id }),
    buttons: [
      { label: t(rl, M.bConfirm), value: `ticket:confirm:${tk.id}` },
      { label: t(rl, M.bReopen), value: `ticket:reopen:${tk.id}` },
    ],
  });
  return reply(t(ctx.locale, M.resolvedOk, { id: tk.id }));
}

async function confirm(ctx: TurnContext, env: TicketEnv, tk: Ticket): Promise<Outcome> {
  tk.status = 'closed';
  tk.events.push({ at: ctx.now, type: 'confirmed', by: ctx.userKey });
  saveTicket(ctx.tx, tk);
  clearAwaiting(ctx.tx, tk.requester, tk.id);
  if (tk.handler)
    await pushTo(ctx, levelTwoTargets(env.settings, tk), (hl) => ({
      text: t(hl, M.confirmedToHandler, { id: tk.id }),
    }));
  return reply(t(ctx.locale, M.confirmedThanks, { id: tk.id }));
}

async function reopen(ctx: TurnContext, env: TicketEnv, tk: Ticket): Promise<Outcome> {
  tk.status = tk.level === 3 ? 'escalated' : tk.handler ? 'claimed' : 'open';
  tk.events.push({ at: ctx.now, type: 'reopened', by: ctx.userKey });
  saveTicket(ctx.tx, tk);
  setAwaiting(ctx.tx, tk.requester, { id: tk.id, kind: 'answer', since: ctx.now });
  await pushTo(ctx, levelTwoTargets(env.settings, tk), (hl) => ({
    text: t(hl, M.reopenedToHandler, { id: tk.id, question: tk.question }),
    buttons: handlerButtons(hl, tk.id, ['reply', 'resolve', 'escalate']),
  }));
  return reply(t(ctx.locale, M.reopenedAck, { id: tk.id }), { buttons: [answerButton(ctx.locale, tk.id)] });
}
