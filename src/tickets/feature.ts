import type { WorkCalendar } from '../core/calendar.ts';
import { parseCommand } from '../core/commands.ts';
import type { Feature, Input, Outcome, Session, TurnContext } from '../core/feature.ts';
import { handled, pass } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import { M, statusText } from './messages.ts';
import { resolveSettings, type TicketConfig, type TicketSettings } from './model.ts';
import { act, type Categorize, openTicket, requesterAnswer, type TicketEnv, type Verb } from './ops.ts';
import { awaitingFor, clearAwaiting, loadTicket, ticketId } from './repo.ts';

/** A user line older than this is not taken as the question behind `转人工`: 30 min. */
export const QUESTION_FRESH_MS = 30 * 60_000;

export interface TicketFeatureOptions {
  /** The whole config works; only the ticket variables are read. Ignored when `settings` is given. */
  config?: TicketConfig;
  calendar?: WorkCalendar;
  /** Already-normalized settings (tests). */
  settings?: TicketSettings;
  /** Category guess for a new ticket, e.g. the FAQ tag of the best matches. */
  categorize?: Categorize;
}

const VERBS: Record<string, Verb> = {
  回复: 'reply',
  reply: 'reply',
  认领: 'claim',
  claim: 'claim',
  解决: 'resolve',
  resolve: 'resolve',
  升级: 'escalate',
  escalate: 'escalate',
};
const VERB_RE =
  /^(回复|认领|解决|升级|reply|claim|resolve|escalate)\s*(t\d+)(?!\d)\s*[:：,，]?\s*([\s\S]*)$/i;
const CONFIRM_WORDS = new Set(['1', '已解决', '解决了', '好了', '是', 'solved', 'yes', 'y']);
const REOPEN_WORDS = new Set(['2', '未解决', '没解决', '没有解决', '不是', 'not solved', 'no', 'n']);

/** `回复 T12 内容` → verb, id, text (text `undefined` when nothing follows). */
function parseVerb(text: string): { verb: Verb; id: string; text?: string } | undefined {
  const m = VERB_RE.exec(text);
  if (!m) return undefined;
  const rest = m[3].trim();
  return { verb: VERBS[m[1].toLowerCase()], id: ticketId(m[2])!, text: rest || undefined };
}

/**
 * The last thing the user asked in the last {@link QUESTION_FRESH_MS}: their latest line in
 * `session.recent` that is not a command, a button click (`[value]`), a number or a ticket verb.
 */
export function lastQuestion(session: Session, now: number): string | undefined {
  for (const r of [...(session.recent ?? [])].reverse()) {
    if (r.from !== 'user' || now - r.at > QUESTION_FRESH_MS) continue;
    const s = r.text.trim();
    if (
      s.length < 2 ||
      s.startsWith('[') ||
      /^\d+$/.test(s.normalize('NFKC')) ||
      parseCommand(s) ||
      parseVerb(s)
    )
      continue;
    return s;
  }
  return undefined;
}

/**
 * Flow state on the speaker's session while the bot waits for a ticket text: the question
 * (`describe`), a handler's reply (`reply`), or the requester's one message back to the handler
 * (`answer`, started by their 回复 button; `prev` is a flow it interrupted, restored after).
 */
type FlowData =
  | { step: 'describe' }
  | { step: 'reply'; id: string }
  | { step: 'answer'; id: string; prev?: Session['active'] };

/** What stands for the requester's 回复 button where buttons are text: its number or label. */
const ANSWER_WORDS = new Set(['1', '回复', 'reply']);

/**
 * Level-two tickets (feature `ticket`). Put it BEFORE the FAQ feature: it must see `回复 T12 …` and
 * a requester's typed button number (1 / 2 on text-only platforms) first.
 * - `转人工` / `human` / button `ticket:open`: opens a ticket with the user's last question
 *   (or asks for one first when there is none on record);
 * - handlers (`TICKET_HANDLERS`, `TICKET_LEAD`): buttons `ticket:claim|reply|resolve|escalate:T12`
 *   or text `认领 T12`, `回复 T12 内容`, `解决 T12`, `升级 T12`;
 * - requester: `回复 T12 …`, or the 回复 button on a relayed reply (`ticket:answer:T12`, or typed
 *   1 / 回复), whose next message goes to the handler; any other text goes on to the FAQ. Buttons
 *   `ticket:confirm:T12` (已解决) / `ticket:reopen:T12` (未解决), or typed 1 / 2.
 * @throws {ConfigError} code `config_invalid` on bad `WORK_HOURS` (at creation).
 */
export function createTicketFeature(opts: TicketFeatureOptions): Feature {
  const settings = resolveSettings(opts, 'createTicketFeature');
  const env: TicketEnv = { settings, categorize: opts.categorize };

  const open = async (ctx: TurnContext): Promise<Outcome> => {
    const q = lastQuestion(ctx.session, ctx.now);
    if (q) return openTicket(ctx, env, q);
    ctx.session.active = { feature: 'ticket', data: { step: 'describe' } satisfies FlowData };
    return handled({ text: t(ctx.locale, M.describe) });
  };

  const flow = async (input: Input, ctx: TurnContext): Promise<Outcome> => {
    const data = ctx.session.active?.data as FlowData;
    ctx.session.active = data.step === 'answer' ? data.prev : undefined;
    if (input.kind === 'command' && input.command === 'cancel') {
      const msg = { describe: M.describeCancelled, reply: M.replyCancelled, answer: M.answerCancelled };
      return handled({ text: t(ctx.locale, msg[data.step]) });
    }
    if (input.kind !== 'text') return pass;
    if (data.step === 'describe') return openTicket(ctx, env, input.text.trim());
    if (data.step === 'reply') return act(ctx, env, 'reply', data.id, input.text);
    const tk = await loadTicket(ctx.tx, data.id);
    if (!tk || tk.requester !== ctx.userKey || tk.status === 'closed') return pass;
    return requesterAnswer(ctx, env, tk, input.text.trim());
  };

  /**
   * The requester's 回复 (button `ticket:answer:T12`, or its number / label typed): the next
   * message, and only that one, goes to the handler.
   */
  const startAnswer = async (ctx: TurnContext, id: string): Promise<Outcome> => {
    const tk = await loadTicket(ctx.tx, id);
    if (!tk) return handled({ text: t(ctx.locale, M.notFound, { id }) });
    if (tk.requester !== ctx.userKey) return handled({ text: t(ctx.locale, M.notYours, { id }) });
    if (tk.status === 'closed')
      return handled({ text: t(ctx.locale, M.state, { id, status: statusText(ctx.locale, tk.status) }) });
    const cur = ctx.session.active;
    const prev = cur?.feature === 'ticket' ? (cur.data as FlowData & { prev?: Session['active'] }).prev : cur;
    ctx.session.active = { feature: 'ticket', data: { step: 'answer', id, prev } satisfies FlowData };
    return handled({ text: t(ctx.locale, M.answerPrompt, { id }) });
  };

  /**
   * A requester's text while a ticket of theirs offered buttons as text: `1` / `回复` after a
   * relayed reply starts {@link startAnswer}; `1` / `2` (or 已解决 / 未解决) after 解决 confirm or
   * reopen. Any other text is not the ticket's: it goes on (to the FAQ).
   */
  const answerBack = async (text: string, ctx: TurnContext): Promise<Outcome> => {
    const word = text.normalize('NFKC').trim().toLowerCase();
    for (const a of await awaitingFor(ctx.tx, ctx.userKey)) {
      const tk = await loadTicket(ctx.tx, a.id);
      if (!tk || tk.status === 'closed') {
        clearAwaiting(ctx.tx, ctx.userKey, a.id);
        continue;
      }
      if (a.kind === 'answer') {
        if (ANSWER_WORDS.has(word)) return startAnswer(ctx, a.id);
        continue;
      }
      if (CONFIRM_WORDS.has(word)) return act(ctx, env, 'confirm', a.id);
      if (REOPEN_WORDS.has(word)) return act(ctx, env, 'reopen', a.id);
    }
    return pass;
  };

  return {
    name: 'ticket',
    help: (l) => t(l, M.help),
    async handle(stage, input, ctx) {
      if (stage === 'flow') return flow(input, ctx);
      if (input.kind === 'action') {
        const [, verb, id] = input.value.split(':');
        if (verb === 'open') return open(ctx);
        const tid = id && ticketId(id);
        if (verb === 'answer' && tid) return startAnswer(ctx, tid);
        if (!tid || !['claim', 'reply', 'resolve', 'escalate', 'confirm', 'reopen'].includes(verb))
          return pass;
        return act(ctx, env, verb as Verb, tid);
      }
      if (input.kind === 'command') return input.command === 'human' ? open(ctx) : pass;
      const v = parseVerb(input.text);
      if (v) return act(ctx, env, v.verb, v.id, v.text);
      return answerBack(input.text, ctx);
    },
  };
}
