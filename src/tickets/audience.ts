import type { Session, TurnContext } from '../core/feature.ts';
import type { Locale, OutgoingMessage, UserKey } from '../core/types.ts';
import type { HandlerTarget, Ticket, TicketSettings } from './model.ts';

/** The user's locale from their stored session (zh-CN when they never spoke to the bot). */
export async function localeOf(ctx: TurnContext, key: UserKey): Promise<Locale> {
  if (key === ctx.userKey) return ctx.locale;
  return (await ctx.store.get<Session>('sessions', key))?.locale ?? 'zh-CN';
}

/** True when the speaker is a configured handler (or the lead), directly or from a handler group. */
export function isHandler(ctx: TurnContext, s: TicketSettings): boolean {
  if (ctx.userKey === s.lead) return true;
  const a = ctx.message.address;
  return s.handlers.some((h) =>
    h.kind === 'user'
      ? h.key === ctx.userKey
      : h.address.platform === a.platform && h.address.chatId === a.chatId,
  );
}

/** Stages one push per target, each in the target's locale. */
export async function pushTo(
  ctx: TurnContext,
  to: HandlerTarget[],
  build: (l: Locale) => OutgoingMessage,
): Promise<void> {
  for (const h of to) {
    const l = h.kind === 'user' ? await localeOf(ctx, h.key) : 'zh-CN';
    ctx.push({ to: h.kind === 'user' ? h.key : h.address, message: build(l) });
  }
}

/** Stages a push to where the requester asked. */
export const pushRequester = (ctx: TurnContext, tk: Ticket, message: OutgoingMessage) =>
  ctx.push({ to: tk.requesterAddress, message });
