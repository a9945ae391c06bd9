import { localDate } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Feature, Input, Outcome, Session, TurnContext } from '../core/feature.ts';
import { handled, pass } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { UserKey } from '../core/types.ts';
import { readPerson } from '../lessons/roster-view.ts';
import { addressOf } from './address.ts';
import { formatDate, parseDateInput } from './dates.ts';
import { M } from './messages.ts';
import { type Milestone, PLANS, type Plan } from './plans.ts';
import { msTitle, ownerName, renderPlan } from './render.ts';

/** Dependencies of {@link createMilestoneFeature}. */
export interface MilestoneFeatureOptions {
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE`: plan dates are local dates there. */
  tz: string;
}

/** The 延期 flow's state; `prev` is a flow it interrupted, restored when it ends. */
interface DelayFlow {
  planId: string;
  msId: string;
  prev?: Session['active'];
}

/**
 * The `milestone` feature: the buttons of milestone reminders.
 * - `milestone:done:<planId>:<msId>` marks it done (owner or sponsor; anyone when it has no owner);
 * - `milestone:delay:<planId>:<msId>` asks for a new date (a small flow: `2026-03-05`, `3月5日`,
 *   `3/5`; `取消` keeps the date), records the slip and tells the sponsor;
 * - `milestone:plan:<planId>` shows the plan with each milestone's status.
 */
export function createMilestoneFeature(opts: MilestoneFeatureOptions): Feature {
  const today = (ctx: TurnContext) => localDate(ctx.now, opts.tz);

  async function names(ctx: TurnContext, keys: UserKey[]): Promise<(k: UserKey) => string> {
    const found = new Map<UserKey, string>();
    for (const k of new Set(keys)) found.set(k, (await readPerson(ctx.tx, k))?.name ?? k);
    return (k) => found.get(k) ?? k;
  }

  async function load(
    ctx: TurnContext,
    planId: string,
    msId?: string,
  ): Promise<{ plan: Plan; m?: Milestone } | undefined> {
    const plan = await ctx.tx.get<Plan>(PLANS, planId);
    if (!plan) return undefined;
    if (msId === undefined) return { plan };
    const m = plan.milestones.find((x) => x.id === msId);
    return m ? { plan, m } : undefined;
  }

  /** The owner or sponsor; anyone when the milestone has no owner (its nudges went to the group). */
  const mayChange = (ctx: TurnContext, m: Milestone) =>
    !m.owner || ctx.userKey === m.owner || ctx.userKey === m.sponsor;

  async function onAction(ctx: TurnContext, value: string): Promise<Outcome> {
    const [, kind, planId, msId] = value.split(':');
    const loc = ctx.locale;
    if (kind === 'plan') {
      const found = await load(ctx, planId ?? '');
      if (!found) return handled({ text: t(loc, M.gone) });
      const nameOf = await names(
        ctx,
        found.plan.milestones.flatMap((m) => (m.owner ? [m.owner] : [])),
      );
      return handled(renderPlan(found.plan, loc, nameOf, opts.calendar, today(ctx)));
    }
    if (kind !== 'done' && kind !== 'delay') return pass;
    const found = await load(ctx, planId ?? '', msId ?? '');
    if (!found?.m) return handled({ text: t(loc, M.gone) });
    const { plan, m } = found;
    const title = msTitle(m, loc);
    if (!mayChange(ctx, m))
      return handled({
        text: t(loc, M.notYours, {
          title,
          owner: ownerName(m, loc, await names(ctx, m.owner ? [m.owner] : [])),
        }),
      });
    if (m.doneAt !== undefined) return handled({ text: t(loc, M.alreadyDone, { title }) });
    if (kind === 'done') {
      m.doneAt = ctx.now;
      m.doneBy = ctx.userKey;
      ctx.tx.put(PLANS, plan.id, plan);
      return handled({ text: t(loc, M.markedDone, { title }) });
    }
    const prev =
      ctx.session.active?.feature === 'milestone'
        ? (ctx.session.active.data as DelayFlow).prev
        : ctx.session.active;
    ctx.session.active = {
      feature: 'milestone',
      data: { planId: plan.id, msId: m.id, prev } satisfies DelayFlow,
    };
    return handled({
      text: t(loc, M.askDate, { title, date: formatDate(m.due, loc, today(ctx)), ...examples(ctx) }),
    });
  }

  function examples(ctx: TurnContext) {
    const d = new Date(Date.parse(`${today(ctx)}T00:00:00Z`) + 7 * 86_400_000);
    return {
      example: d.toISOString().slice(0, 10),
      exampleCn: `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`,
    };
  }

  async function onFlow(ctx: TurnContext, input: Input, flow: DelayFlow): Promise<Outcome> {
    const loc = ctx.locale;
    const end = () => {
      ctx.session.active = flow.prev;
    };
    const found = await load(ctx, flow.planId, flow.msId);
    if (!found?.m) {
      end();
      return handled({ text: t(loc, M.gone) });
    }
    const { plan, m } = found;
    const day = today(ctx);
    if (input.kind === 'command' && (input.command === 'cancel' || input.command === 'back')) {
      end();
      return handled({ text: t(loc, M.delayCancelled, { date: formatDate(m.due, loc, day) }) });
    }
    if (input.kind !== 'text') {
      end();
      return pass;
    }
    const to = parseDateInput(input.text, day);
    if (!to) return handled({ text: t(loc, M.badDate, examples(ctx)) });
    if (to < day) return handled({ text: t(loc, M.notPast, { date: formatDate(day, loc, day) }) });
    if (to <= m.due) return handled({ text: t(loc, M.tooEarly, { date: formatDate(m.due, loc, day) }) });
    const from = m.due;
    m.slips.push({ from, to, at: ctx.now, by: ctx.userKey });
    m.due = to;
    ctx.tx.put(PLANS, plan.id, plan);
    end();
    const title = msTitle(m, loc);
    const notify = [m.sponsor, m.owner].filter((k): k is UserKey => !!k && k !== ctx.userKey);
    if (notify.length) {
      const nameOf = await names(ctx, [ctx.userKey, ...notify]);
      for (const k of new Set(notify)) {
        const locale = (await readPerson(ctx.tx, k))?.locale ?? 'zh-CN';
        ctx.push({
          to: addressOf(k),
          message: {
            text: t(locale, M.slipNotice, {
              title: msTitle(m, locale),
              plan: plan.title,
              who: nameOf(ctx.userKey),
              from: formatDate(from, locale, day),
              to: formatDate(to, locale, day),
            }),
          },
          dedupeKey: `milestone:${plan.id}:${m.id}:slip:${from}:${to}:${k}`,
        });
      }
    }
    return handled({ text: t(loc, M.slipped, { title, date: formatDate(to, loc, day) }) });
  }

  return {
    name: 'milestone',
    async handle(stage, input, ctx): Promise<Outcome> {
      if (stage === 'action') return input.kind === 'action' ? onAction(ctx, input.value) : pass;
      if (stage === 'flow') return onFlow(ctx, input, ctx.session.active!.data as DelayFlow);
      return pass;
    },
  };
}
