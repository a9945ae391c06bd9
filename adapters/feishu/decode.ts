import type { IncomingMessage } from '../../src/index.ts';

/** What one Feishu body means for the bot. */
export type FeishuDecoded =
  | { kind: 'challenge'; challenge: string; token?: string }
  | { kind: 'message'; message: IncomingMessage; token?: string }
  | { kind: 'ignore'; reason: string; token?: string };

interface Mention {
  key?: string;
  id?: { open_id?: string; user_id?: string; union_id?: string };
  name?: string;
}

/**
 * Removes the bot's own `@_user_N` placeholder(s); other users' placeholders become `@name`.
 * With no bot open_id configured, every placeholder of a mention is removed.
 * @see https://open.feishu.cn/document/server-docs/im-v1/message/events/receive
 */
export function stripMentions(text: string, mentions: Mention[] | undefined, botOpenId?: string): string {
  let out = text;
  for (const m of mentions ?? []) {
    if (!m.key) continue;
    const isBot = botOpenId ? m.id?.open_id === botOpenId : true;
    out = out.split(m.key).join(isBot ? ' ' : `@${m.name ?? ''}`);
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * True when deciding whether `body` is for the bot needs the bot's open_id: a schema 2.0
 * `im.message.receive_v1` group message that mentions someone (v2 mentions name users, not
 * "the bot"; v1 envelopes carry `is_mention` instead).
 */
export function needsBotOpenId(body: Record<string, unknown>): boolean {
  if (body.schema !== '2.0') return false;
  const header = (body.header ?? {}) as { event_type?: string };
  const msg = ((body.event ?? {}) as { message?: { chat_type?: string; mentions?: unknown[] } }).message;
  return (
    header.event_type === 'im.message.receive_v1' &&
    msg?.chat_type === 'group' &&
    (msg.mentions ?? []).length > 0
  );
}

/**
 * Decodes a (decrypted) Feishu/Lark body: `url_verification`; schema 2.0
 * (`header.event_id`, `header.event_type`) and 1.0 (`uuid`, `event.type`) envelopes;
 * `im.message.receive_v1` text (group messages only when `botOpenId` is among the mentions;
 * without a `botOpenId`, schema 2.0 group messages are ignored — see {@link needsBotOpenId}) and
 * `card.action.trigger` button clicks (`action.value.v`). The dedupe id is `event_id` (v2) or
 * `uuid` (v1).
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM (event envelope)
 * @see https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-callback-communication
 */
export function decodeFeishu(body: Record<string, unknown>, botOpenId?: string): FeishuDecoded {
  if (body.type === 'url_verification')
    return {
      kind: 'challenge',
      challenge: String(body.challenge ?? ''),
      token: body.token as string | undefined,
    };
  if (body.schema === '2.0') {
    const header = (body.header ?? {}) as {
      event_id?: string;
      event_type?: string;
      token?: string;
      create_time?: string;
    };
    const event = (body.event ?? {}) as Record<string, unknown>;
    const token = header.token;
    if (!header.event_id) return { kind: 'ignore', reason: 'no event_id', token };
    if (header.event_type === 'im.message.receive_v1')
      return decodeMessageV2(header.event_id, event, botOpenId, token);
    if (header.event_type === 'card.action.trigger') return decodeCardAction(header.event_id, event, token);
    return { kind: 'ignore', reason: `event ${header.event_type}`, token };
  }
  if (body.type === 'event_callback') {
    const token = body.token as string | undefined;
    const ev = (body.event ?? {}) as Record<string, string | boolean | undefined>;
    if (ev.type !== 'message' || !body.uuid) return { kind: 'ignore', reason: `v1 event ${ev.type}`, token };
    const group = ev.chat_type === 'group';
    if (group && ev.is_mention === false)
      return { kind: 'ignore', reason: 'group message not for the bot', token };
    const userId = String(ev.open_id ?? '');
    if (!userId) return { kind: 'ignore', reason: 'no sender', token };
    const text = String(ev.text_without_at_bot ?? ev.text ?? '').trim();
    return {
      kind: 'message',
      token,
      message: {
        id: String(body.uuid),
        platform: 'feishu',
        userId,
        group,
        address: group
          ? { platform: 'feishu', userId, chatId: String(ev.open_chat_id ?? ''), chatType: 'group' }
          : { platform: 'feishu', userId, chatType: 'direct' },
        text: ev.msg_type === 'text' ? text || undefined : undefined,
      },
    };
  }
  return { kind: 'ignore', reason: 'unknown envelope' };
}

function decodeMessageV2(
  eventId: string,
  event: Record<string, unknown>,
  botOpenId: string | undefined,
  token?: string,
): FeishuDecoded {
  const sender = (event.sender ?? {}) as { sender_id?: { open_id?: string }; sender_type?: string };
  const msg = (event.message ?? {}) as {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    mentions?: Mention[];
    create_time?: string;
  };
  if (sender.sender_type && sender.sender_type !== 'user')
    return { kind: 'ignore', reason: 'not from a user', token };
  const userId = sender.sender_id?.open_id;
  if (!userId) return { kind: 'ignore', reason: 'no sender open_id', token };
  const group = msg.chat_type === 'group';
  if (group) {
    // Any mention is not necessarily the bot's: without its open_id we cannot tell.
    if (!botOpenId) return { kind: 'ignore', reason: 'group message, bot open_id unknown', token };
    const mentioned = (msg.mentions ?? []).some((m) => m.id?.open_id === botOpenId);
    if (!mentioned) return { kind: 'ignore', reason: 'group message not for the bot', token };
  }
  let text: string | undefined;
  if (msg.message_type === 'text') {
    try {
      text = stripMentions(
        String((JSON.parse(msg.content ?? '{}') as { text?: string }).text ?? ''),
        msg.mentions,
        botOpenId,
      );
    } catch {
      text = undefined;
    }
  }
  return {
    kind: 'message',
    token,
    message: {
      id: eventId,
      platform: 'feishu',
      userId,
      group,
      address: group
        ? { platform: 'feishu', userId, chatId: msg.chat_id, chatType: 'group' }
        : { platform: 'feishu', userId, chatId: msg.chat_id, chatType: 'direct' },
      text: text || undefined,
      sentAt: msg.create_time ? Number(msg.create_time) : undefined,
    },
  };
}

function decodeCardAction(eventId: string, event: Record<string, unknown>, token?: string): FeishuDecoded {
  const operator = (event.operator ?? {}) as { open_id?: string };
  const action = (event.action ?? {}) as { value?: { v?: string } | string };
  const context = (event.context ?? {}) as { open_chat_id?: string };
  const value = typeof action.value === 'string' ? action.value : action.value?.v;
  if (!operator.open_id || !value)
    return { kind: 'ignore', reason: 'card action without operator/value', token };
  return {
    kind: 'message',
    token,
    message: {
      id: eventId,
      platform: 'feishu',
      userId: operator.open_id,
      address: {
        platform: 'feishu',
        userId: operator.open_id,
        chatId: context.open_chat_id,
        chatType: 'direct',
      },
      action: value,
    },
  };
}
