import type { IncomingMessage } from '../../src/index.ts';

/** Outcome of decoding one Slack body: a message for the bot, or nothing to do. */
export type SlackDecoded = { kind: 'message'; message: IncomingMessage } | { kind: 'ignore'; reason: string };

interface SlackEvent {
  type?: string;
  subtype?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  channel?: string;
  files?: unknown[];
}

/**
 * Slack's message formatting → plain text, after the bot's own mention was stripped: other user
 * mentions `<@U…|name>` → `@name` (`@` alone without a name: an id is no word to match), channels
 * `<#C…|name>` → `#name`, links `<url|label>` → `label url`, `<url>` → `url`, special mentions
 * `<!here>` → `@here`; then the three escaped characters `&lt; &gt; &amp;` → `< > &`.
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 * @see https://api.slack.com/reference/surfaces/formatting#retrieving-messages
 */
export function slackToPlain(text: string): string {
  return text
    .replace(/<([@#!])([^>|]*)(?:\|([^>]*))?>/g, (_, sigil: string, id: string, name?: string) =>
      sigil === '!' ? `@${(name ?? id).split('^')[0]}` : `${sigil}${name ?? ''}`,
    )
    .replace(/<([^>|]+)(?:\|([^>]*))?>/g, (_, url: string, label?: string) =>
      label ? `${label} ${url}` : url,
    )
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Strips the bot's own `<@U…>` / `<@U…|name>` mention (only the bot's) and trims.
 * @see https://api.slack.com/events/app_mention
 */
export function stripBotMention(text: string, botUserId?: string): string {
  if (!botUserId) return text.replace(/^\s*<@[A-Z0-9]+(?:\|[^>]*)?>\s*/, '').trim();
  const re = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g');
  return text.replace(re, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Decodes an Events API `event_callback` body. DMs arrive as `message` with
 * `channel_type: "im"`, group mentions as `app_mention`; the bot's own messages (`bot_id`,
 * subtypes) and channel messages that do not mention the bot are ignored. The dedupe id is the
 * envelope's `event_id` (retries repeat it).
 * @see https://api.slack.com/apis/events-api#callback-field
 */
export function decodeEventCallback(body: {
  event_id?: string;
  event_time?: number;
  event?: SlackEvent;
  authorizations?: Array<{ user_id?: string }>;
}): SlackDecoded {
  const ev = body.event;
  if (!ev || !body.event_id) return { kind: 'ignore', reason: 'no event' };
  if (ev.bot_id || ev.subtype === 'bot_message') return { kind: 'ignore', reason: 'bot message' };
  if (ev.subtype && ev.subtype !== 'file_share' && ev.subtype !== 'thread_broadcast')
    return { kind: 'ignore', reason: `subtype ${ev.subtype}` };
  if (!ev.user || !ev.channel) return { kind: 'ignore', reason: 'no user/channel' };
  const botUserId = body.authorizations?.[0]?.user_id;
  const isDm = ev.type === 'message' && ev.channel_type === 'im';
  const isMention = ev.type === 'app_mention';
  if (!isDm && !isMention) return { kind: 'ignore', reason: 'not addressed to the bot' };
  const text = slackToPlain(stripBotMention(ev.text ?? '', botUserId));
  return {
    kind: 'message',
    message: {
      id: body.event_id,
      platform: 'slack',
      userId: ev.user,
      group: !isDm,
      address: {
        platform: 'slack',
        userId: ev.user,
        chatId: ev.channel,
        chatType: isDm ? 'direct' : 'group',
        ...(isMention ? { meta: { thread_ts: ev.thread_ts ?? ev.ts ?? '' } } : {}),
      },
      text: text || undefined,
      sentAt: ev.ts ? Math.round(Number(ev.ts) * 1000) : undefined,
    },
  };
}

/**
 * Decodes a `block_actions` interactivity payload (a button click). The click has no event_id;
 * `trigger_id` is unique per interaction, so it is the dedupe id.
 * @see https://api.slack.com/reference/interaction-payloads/block-actions
 */
export function decodeBlockActions(payload: {
  type?: string;
  trigger_id?: string;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; thread_ts?: string };
  actions?: Array<{ value?: string; action_ts?: string }>;
}): SlackDecoded {
  if (payload.type !== 'block_actions') return { kind: 'ignore', reason: `payload ${payload.type}` };
  const action = payload.actions?.[0];
  const user = payload.user?.id;
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  if (!action?.value || !user || !channel) return { kind: 'ignore', reason: 'no value/user/channel' };
  const direct = channel.startsWith('D');
  return {
    kind: 'message',
    message: {
      id: `action:${payload.trigger_id ?? `${user}:${action.action_ts}`}`,
      platform: 'slack',
      userId: user,
      group: !direct,
      address: { platform: 'slack', userId: user, chatId: channel, chatType: direct ? 'direct' : 'group' },
      action: action.value,
    },
  };
}
