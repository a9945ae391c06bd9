import { type Feature, handled, type Outcome, pass, type TurnContext } from '../core/feature.ts';
import { defineMessages, t } from '../core/i18n.ts';
import { ROSTER_COLLECTION, type RosterUser } from './types.ts';

/** Store collection remembering whom the bot already asked for a role (key = user key). */
export const ROLE_PROMPTS_COLLECTION = 'roster-prompts';
/** Button value prefix of the role choice: `roster:role:<role>`. */
export const ROLE_ACTION = 'roster:role:';

const M = defineMessages({
  ask: {
    'zh-CN': '请选择您的岗位角色\n您好，为了给您推送合适的操作微课，请点按钮，或回复角色名称：',
    en: 'Please pick your role\nHello. To send you the right how-to lessons, please pick your role: tap a button or type its name.',
  },
  confirm: {
    'zh-CN': '好的，已记录您的角色：{role}。之后会按这个角色给您推送微课。',
    en: 'Thank you. Your role is recorded as {role}; lessons for it will follow.',
  },
  unknown: {
    'zh-CN': '没有「{role}」这个角色，请从下面选一个：',
    en: 'There is no role "{role}". Please pick one of these:',
  },
});

export interface RosterFeatureOptions {
  /** Roles users may pick: those of the lesson tracks. A function is read on every turn. */
  roles: string[] | (() => string[]);
}

/**
 * Self-service role pick. Place it FIRST in the feature list: it never answers a normal message
 * itself, so it cannot block the user's actual request.
 * - A user without a role (not in the roster, or no roles) who writes to the bot in a direct
 *   chat gets ONE push (to themselves, after the reply to what they asked) with the roles as
 *   buttons (`roster:role:<role>`); the turn returns `pass`, so their message is answered as
 *   usual. The bot remembers it asked (collection `roster-prompts`, plus the push's dedupe key
 *   `roster:ask-role:<user>`), so it asks once, ever.
 * - Clicking a button (or typing a role's exact name while still role-less) records the role
 *   in the roster and confirms.
 * - The dev chat's `role` (`POST /dev/chat {role}`, `npm run chat -- --role`) sets the user's
 *   roles to exactly that role, then the turn goes on.
 */
export function createRosterFeature(opts: RosterFeatureOptions): Feature {
  const roles = () => (typeof opts.roles === 'function' ? opts.roles() : opts.roles);
  const buttons = () => roles().map((r) => ({ label: r, value: `${ROLE_ACTION}${r}` }));

  async function record(ctx: TurnContext, role: string): Promise<void> {
    const before = await ctx.tx.get<RosterUser>(ROSTER_COLLECTION, ctx.userKey);
    const user: RosterUser = before ?? {
      userId: ctx.userKey,
      name: ctx.message.userName ?? ctx.message.userId,
      roles: [],
      updatedAt: ctx.now,
    };
    ctx.tx.put<RosterUser>(ROSTER_COLLECTION, ctx.userKey, { ...user, roles: [role], updatedAt: ctx.now });
  }

  return {
    name: 'roster',
    async handle(stage, input, ctx): Promise<Outcome> {
      if (stage === 'action' && input.kind === 'action' && input.value.startsWith(ROLE_ACTION)) {
        const role = input.value.slice(ROLE_ACTION.length);
        if (!roles().includes(role))
          return handled({ text: t(ctx.locale, M.unknown, { role }), buttons: buttons() });
        await record(ctx, role);
        return handled({ text: t(ctx.locale, M.confirm, { role }) });
      }
      if (stage !== 'message') return pass;
      if (ctx.message.role) {
        await record(ctx, ctx.message.role);
        return pass;
      }
      if (ctx.message.group || roles().length === 0) return pass;
      const user = await ctx.tx.get<RosterUser>(ROSTER_COLLECTION, ctx.userKey);
      if (user?.roles?.length) return pass;
      const asked = await ctx.tx.get<{ at: number }>(ROLE_PROMPTS_COLLECTION, ctx.userKey);
      if (asked) {
        const typed = input.kind === 'text' ? input.text.normalize('NFKC').trim() : '';
        if (typed && roles().includes(typed)) {
          await record(ctx, typed);
          return handled({ text: t(ctx.locale, M.confirm, { role: typed }) });
        }
        return pass;
      }
      // Do not interrupt a survey start, a hand-off or a cancel with a role question; ask on
      // free text, 帮助 or 课程 (lessons need the role).
      if (input.kind === 'command' && input.command !== 'lesson' && input.command !== 'help') return pass;
      ctx.tx.put(ROLE_PROMPTS_COLLECTION, ctx.userKey, { at: ctx.now });
      ctx.push({
        to: ctx.userKey,
        // Asked after the reply to what they wrote, which may have buttons of its own (FAQ
        // 有用/没用): a typed number keeps meaning those; a role is picked by tap or by name.
        message: { text: t(ctx.locale, M.ask), buttons: buttons(), byNumber: false },
        dedupeKey: `roster:ask-role:${ctx.userKey}`,
      });
      return pass;
    },
  };
}
