import type { Address, IncomingMessage } from '../../src/index.ts';
import { parseButtonActionId } from './encode.ts';
import type { AtUser, CardCallbackPayload, RobotMessagePayload } from './payloads.ts';

/**
 * DingTalk payloads → {@link IncomingMessage}. Pure.
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 */

/** What decoding one payload gave (tagged union). Only `message` is dispatched. */
export type DecodeResult =
  | { status: 'message'; message: IncomingMessage }
  | { status: 'ignored'; reason: 'malformed' | 'not-addressed' | 'own-echo' };

/** What decoding needs to know about this bot. */
export interface DecodeOptions {
  /** The app's robotCode (internal apps: the AppKey / clientId). */
  robotCode: string;
  /**
   * The bot's display names in chats (`DINGTALK_BOT_NAME`). DingTalk normally removes the bot's
   * `@name` itself; a name still in the text (e.g. glued to the next word) is removed with these.
   */
  botNames?: readonly string[];
}

const SPACE = '[\\s\\u00a0\\u2005]';
/** What an empty text message (a bare `@bot`) is read as: the help command. */
export const EMPTY_MENTION_TEXT = '帮助';

/**
 * Decodes one robot message (Stream topic `/v1.0/im/bot/messages/get` or HTTP-mode body).
 * - `id` is the message's `msgId` (the same on a redelivery), never the Stream frame's
 *   `messageId` (new per delivery).
 * - `userId` is `senderStaffId`; when it is missing (users outside the org, the console's debug
 *   group) the encrypted `senderId` stands in, so the person still gets a session and a reply
 *   through the `sessionWebhook` — OpenAPI sends to such an id fail and are dead-lettered.
 * - Group (`conversationType` "2"): ignored unless the bot is mentioned (`isInAtList`, or its
 *   `chatbotUserId` / robotCode in `atUsers`); only the bot's own `@name` is removed (other
 *   mentions stay), also when glued to the following text; the leading space DingTalk leaves
 *   where it removed the mention is trimmed.
 * - Media (`picture`, `audio`, `video`, `file`: fields under top-level `content`) → a message
 *   without text (the core answers that it reads text only); `richText` → its text parts.
 * - The bot's own messages (sender = `chatbotUserId`) are ignored.
 * - A text message that is empty once the mention is gone reads as `帮助` (help).
 * @param payload parsed JSON of the robot message
 * @returns the message with `address.meta = {sessionWebhook, sessionWebhookExpiredTime}` (ms, as
 *   a decimal string) when DingTalk gave them
 */
export function decodeRobotMessage(payload: unknown, opts: DecodeOptions): DecodeResult {
  if (!payload || typeof payload !== 'object') return { status: 'ignored', reason: 'malformed' };
  const p = payload as RobotMessagePayload;
  const userId = str(p.senderStaffId) ?? str(p.senderId);
  const msgId = str(p.msgId);
  if (!msgId || !userId) return { status: 'ignored', reason: 'malformed' };
  const bot = str(p.chatbotUserId);
  if ((bot && p.senderId === bot) || (p.senderStaffId && p.senderStaffId === opts.robotCode))
    return { status: 'ignored', reason: 'own-echo' };
  const group = p.conversationType === '2';
  if (group && !mentionsBot(p, opts.robotCode)) return { status: 'ignored', reason: 'not-addressed' };
  const conversationId = str(p.conversationId);
  if (group && !conversationId) return { status: 'ignored', reason: 'malformed' };

  const meta: Record<string, string> = {};
  if (str(p.sessionWebhook)) meta.sessionWebhook = p.sessionWebhook as string;
  if (Number.isFinite(p.sessionWebhookExpiredTime))
    meta.sessionWebhookExpiredTime = String(p.sessionWebhookExpiredTime);
  const address: Address = group
    ? { platform: 'dingtalk', chatId: conversationId, chatType: 'group', userId, meta }
    : { platform: 'dingtalk', userId, chatType: 'direct', meta };

  const raw = rawText(p);
  let text = raw === undefined ? undefined : stripBotMention(raw, opts.botNames ?? []);
  // A bare mention ("@小助手" and nothing else) asks what the bot can do.
  if (text === '') text = EMPTY_MENTION_TEXT;
  const message: IncomingMessage = {
    id: msgId,
    platform: 'dingtalk',
    userId,
    address,
    group,
    ...(text ? { text } : {}),
    ...(str(p.senderNick) ? { userName: p.senderNick } : {}),
    ...(Number.isFinite(p.createAt) ? { sentAt: p.createAt } : {}),
  };
  return { status: 'message', message };
}

/**
 * Decodes a card button click (Stream topic `/v1.0/card/instances/callback`). The clicked
 * button's value comes from the button id (see `buttonActionId` in `encode.ts`) or from a
 * `value` param (custom templates). The id, `card:<outTrackId>:<userId>:<value>`, makes a
 * redelivered or double-tapped click a duplicate. The callback does not say which chat the card
 * was in, so the answer goes to the clicker 1:1.
 * @param payload parsed JSON of the callback `data`
 * @see https://open.dingtalk.com/document/orgapp/robots-send-interactive-cards
 */
export function decodeCardCallback(payload: unknown): DecodeResult {
  if (!payload || typeof payload !== 'object') return { status: 'ignored', reason: 'malformed' };
  const p = payload as CardCallbackPayload;
  const userId = str(p.userId);
  const track = str(p.outTrackId);
  if (!userId || !track) return { status: 'ignored', reason: 'malformed' };
  const priv = parsePrivateData(p.content) ?? parsePrivateData(p.value);
  const param = priv?.params?.value;
  const action =
    (typeof param === 'string' && param) ||
    (priv?.actionIds ?? []).map((id) => parseButtonActionId(String(id))).find((v) => v !== undefined);
  if (!action) return { status: 'ignored', reason: 'malformed' };
  return {
    status: 'message',
    message: {
      id: `card:${track}:${userId}:${action}`,
      platform: 'dingtalk',
      userId,
      address: { platform: 'dingtalk', userId, chatType: 'direct' },
      action,
    },
  };
}

/** True when the bot is among the message's mentions. */
function mentionsBot(p: RobotMessagePayload, robotCode: string): boolean {
  if (p.isInAtList === true) return true;
  const bot = str(p.chatbotUserId);
  const users: AtUser[] = Array.isArray(p.atUsers) ? p.atUsers : [];
  return users.some((u) => (bot && u?.dingtalkId === bot) || (u?.staffId && u.staffId === robotCode));
}

/** The text of a `text` or `richText` message; `undefined` for media. */
function rawText(p: RobotMessagePayload): string | undefined {
  if (p.msgtype === 'text' || (p.msgtype === undefined && p.text)) return str(p.text?.content) ?? '';
  if (p.msgtype === 'richText') {
    const parts = (p.content as { richText?: Array<{ text?: unknown }> } | undefined)?.richText;
    if (!Array.isArray(parts)) return undefined;
    const text = parts.map((x) => (typeof x?.text === 'string' ? x.text : '')).join('');
    return text || undefined;
  }
  return undefined;
}

/**
 * Removes `@<bot name>` (and the space after it, if any) wherever it is, for each known name,
 * longest first; other mentions (`@张三`) stay. Then trims, which drops the leading space
 * DingTalk leaves where it removed the mention itself.
 */
export function stripBotMention(text: string, botNames: readonly string[]): string {
  let out = text;
  for (const name of [...botNames].filter(Boolean).sort((a, b) => b.length - a.length)) {
    const re = new RegExp(`[@＠]${escapeRe(name)}${SPACE}*`, 'gu');
    out = out.replace(re, '');
  }
  return out.replace(new RegExp(`^${SPACE}+|${SPACE}+$`, 'gu'), '');
}

function parsePrivateData(
  json: unknown,
): { actionIds?: unknown[]; params?: Record<string, unknown> } | undefined {
  if (typeof json !== 'string' || !json) return undefined;
  try {
    const v = JSON.parse(json) as {
      cardPrivateData?: { actionIds?: unknown[]; params?: Record<string, unknown> };
    };
    return v?.cardPrivateData;
  } catch {
    return undefined;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}
