import type { Outcome, TurnContext } from '../core/feature.ts';
import { handled } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import { localeOf, pushRequester } from './audience.ts';
import { categoryText, eventsText, historyText, M, requesterText } from './messages.ts';
import { isUserKey, markResponded, type Ticket, type TicketSettings } from './model.ts';
import { saveTicket } from './repo.ts';

const reply = (text: string): Outcome => handled({ text });

/** Level three: records the move, hands the history to the vendor (a user key) or to the handler to forward. */
export async function escalate(ctx: TurnContext, s: TicketSettings, tk: Ticket): Promise<Outcome> {
  const l = ctx.locale;
  markResponded(tk, ctx.userKey, ctx.now);
  tk.status = 'escalated';
  tk.level = 3;
  tk.events.push({
    at: ctx.now,
    type: 'escalated',
    by: ctx.userKey,
    ...(s.vendor ? { text: s.vendor } : {}),
  });
  saveTicket(ctx.tx, tk);
  const rl = await localeOf(ctx, tk.requester);
  pushRequester(ctx, tk, { text: t(rl, M.escalatedNotice, { id: tk.id }) });
  const vendor = s.vendor;
  if (vendor && isUserKey(vendor)) {
    const vl = await localeOf(ctx, vendor);
    ctx.push({
      to: vendor,
      message: {
        text: t(vl, M.toVendor, {
          id: tk.id,
          category: categoryText(tk),
          requester: requesterText(tk),
          question: tk.question,
          history: `${historyText(vl, tk)}\n${eventsText(vl, tk, s.sla.tz)}`,
        }),
      },
    });
    return reply(t(l, M.escalatedOk, { id: tk.id, vendor: t(l, M.vendorPushed, { vendor }) }));
  }
  const history = `${t(l, M.toVendor, {
    id: tk.id,
    category: categoryText(tk),
    requester: requesterText(tk),
    question: tk.question,
    history: `${historyText(l, tk)}\n${eventsText(l, tk, s.sla.tz)}`,
  })}`;
  const how = vendor ? t(l, M.vendorContact, { vendor, history }) : t(l, M.vendorMissing, { history });
  return reply(t(l, M.escalatedOk, { id: tk.id, vendor: how }));
}
