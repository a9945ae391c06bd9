import { type Feature, handled, type Outcome, pass, type TurnContext } from '../core/feature.ts';
import { pick, t } from '../core/i18n.ts';
import type { Store } from '../core/store.ts';
import type { Button, Clock, Locale, OutgoingMessage } from '../core/types.ts';
import { decideFaq, type FaqThresholds, SUGGEST_COUNT } from './decide.ts';
import type { FaqIndex } from './faq-index.ts';
import { type GapReason, logGap } from './gaps.ts';
import { M } from './messages.ts';
import type { FaqEntry } from './schema.ts';

/** Per user: the last question and what was offered, so 没用 can offer the next candidates. */
export const LAST_ASKED = 'faq-last';
/** Every 有用/没用 click (for answer quality figures). */
export const FEEDBACK = 'faq-feedback';
const LAST_TTL_MS = 24 * 3600_000;

interface LastAsked {
  question: string;
  /** Entry shown as the answer, if any. */
  shown?: string;
  /** Ranked candidate ids (best first). */
  candidates: string[];
  /** Entries the user said did not help. */
  disliked: string[];
  at: number;
}

/** Options of {@link createFaqFeature}. */
export interface FaqFeatureOptions {
  /** The index, or a getter returning the current one (content reloads swap it). */
  index: FaqIndex | (() => FaqIndex);
  thresholds: FaqThresholds;
  /** Accepted for symmetry with the other features; turn reads and writes go through `ctx.tx`. */
  store?: Store;
  /** Accepted for symmetry; the turn time is `ctx.now`. */
  clock?: Clock;
  /** Working hours promised in the "I don't know" text (`TICKET_SLA_HOURS`, default 4). */
  slaHours?: number;
}

/**
 * Level-one FAQ (feature `faq`; put it LAST — it takes any free text no other feature took).
 * - answer: `【title】` + the entry's `answer` verbatim + buttons 有用 `faq:up:<id>` / 没用 `faq:down:<id>`;
 * - suggest: "您是不是想问…" with up to three `faq:pick:<id>` buttons and 转人工 (`ticket:open`);
 * - unknown / out of scope: UX.md's text with a 转人工 button.
 * 没用 offers the next candidates, then 转人工. Unanswered and disliked questions are logged
 * (collection `faq-gaps`). Text with no searchable word (a greeting) passes, so the bot shows help.
 */
export function createFaqFeature(opts: FaqFeatureOptions): Feature {
  const current = typeof opts.index === 'function' ? opts.index : () => opts.index as FaqIndex;
  const hours = opts.slaHours ?? 4;
  const humanButton = (l: Locale): Button => ({ label: t(l, M.human), value: 'ticket:open' });

  const answer = (e: FaqEntry, l: Locale): OutgoingMessage => {
    const body = pick(l, e.answer, e.answer_en);
    return {
      text: `${t(l, M.answerTitle, { title: titleOf(e, l) })}\n${body}${body.endsWith('\n') ? '' : '\n'}${t(l, M.helpful)}`,
      buttons: [
        { label: t(l, M.up), value: `faq:up:${e.id}` },
        { label: t(l, M.down), value: `faq:down:${e.id}` },
      ],
    };
  };
  const choices = (text: string, entries: FaqEntry[], l: Locale): OutgoingMessage => ({
    text,
    buttons: [...entries.map((e) => ({ label: titleOf(e, l), value: `faq:pick:${e.id}` })), humanButton(l)],
  });
  const gap = (
    ctx: TurnContext,
    question: string,
    reason: GapReason,
    extra: { entryId?: string; topic?: string } = {},
  ) => logGap(ctx.tx, ctx.message.id, { question, reason, userKey: ctx.userKey, at: ctx.now, ...extra });
  const remember = (ctx: TurnContext, last: LastAsked) =>
    ctx.tx.put(LAST_ASKED, ctx.userKey, last, { ttlMs: LAST_TTL_MS });

  const ask = (text: string, ctx: TurnContext): Outcome => {
    // A bare number or date ("12", "31日") is no question: leave it to help, never answer it.
    const words = text.normalize('NFKC').replace(/[\d\s\p{P}\p{S}]/gu, '');
    if ([...words].length < 2) return pass;
    const index = current();
    const result = index.search(text, SUGGEST_COUNT + 2);
    const d = decideFaq(result, opts.thresholds);
    if (d.kind === 'unknown' && d.reason === 'empty') return pass;
    const l = ctx.locale;
    const last: LastAsked = {
      question: text,
      candidates: result.hits.map((h) => h.entry.id),
      disliked: [],
      at: ctx.now,
    };
    switch (d.kind) {
      case 'answer':
        remember(ctx, { ...last, shown: d.hit.entry.id });
        return handled(answer(d.hit.entry, l));
      case 'suggest':
        remember(ctx, last);
        return handled(
          choices(
            t(l, M.suggest),
            d.candidates.map((h) => h.entry),
            l,
          ),
        );
      case 'unknown': {
        remember(ctx, { ...last, candidates: [] });
        if (d.reason === 'out_of_scope') {
          gap(ctx, text, 'out_of_scope', { topic: d.topic });
          const o = result.outOfScope;
          const topic = (l === 'en' ? (o?.label_en ?? o?.label) : o?.label) ?? d.topic ?? '';
          return handled({ text: t(l, M.outOfScope, { topic, hours }), buttons: [humanButton(l)] });
        }
        gap(ctx, text, 'unknown');
        return handled({ text: t(l, M.unknown, { hours }), buttons: [humanButton(l)] });
      }
    }
  };

  const act = async (value: string, ctx: TurnContext): Promise<Outcome> => {
    const [, verb, id] = value.split(':');
    const l = ctx.locale;
    const entry = id ? current().get(id) : undefined;
    const last = await ctx.tx.get<LastAsked>(LAST_ASKED, ctx.userKey);
    switch (verb) {
      case 'up':
        ctx.tx.put(FEEDBACK, `${String(ctx.now).padStart(13, '0')}:${ctx.message.id}`, {
          entryId: id,
          vote: 'up',
          userKey: ctx.userKey,
          at: ctx.now,
        });
        return handled({ text: t(l, M.thanks) });
      case 'down': {
        ctx.tx.put(FEEDBACK, `${String(ctx.now).padStart(13, '0')}:${ctx.message.id}`, {
          entryId: id,
          vote: 'down',
          userKey: ctx.userKey,
          at: ctx.now,
        });
        const question =
          last?.shown === id || last?.candidates.includes(id) ? last.question : entry ? titleOf(entry) : id;
        gap(ctx, question, 'disliked', { entryId: id });
        const disliked = [...new Set([...(last?.disliked ?? []), id])];
        const next = (last?.candidates ?? [])
          .filter((c) => !disliked.includes(c))
          .map((c) => current().get(c))
          .filter((e): e is FaqEntry => e !== undefined)
          .slice(0, SUGGEST_COUNT);
        if (last) remember(ctx, { ...last, disliked, candidates: next.map((e) => e.id) });
        if (!next.length) return handled({ text: t(l, M.noMore, { hours }), buttons: [humanButton(l)] });
        return handled(choices(t(l, M.others), next, l));
      }
      case 'pick':
        if (!entry) return handled({ text: t(l, M.gone) });
        if (last) remember(ctx, { ...last, shown: entry.id });
        return handled(answer(entry, l));
      default:
        return pass;
    }
  };

  return {
    name: 'faq',
    help: (l) => t(l, M.help),
    async handle(stage, input, ctx) {
      if (stage === 'action' && input.kind === 'action') return act(input.value, ctx);
      if (stage === 'message' && input.kind === 'text') return ask(input.text, ctx);
      return pass;
    },
  };
}

/** Short label of an entry: its title, else its first question. */
export function titleOf(e: FaqEntry, locale: Locale = 'zh-CN'): string {
  return (locale === 'en' ? (e.title_en ?? e.title) : e.title) ?? e.questions[0];
}
