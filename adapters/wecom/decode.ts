import type { IncomingMessage } from '../../src/index.ts';
import { BadRequestError } from '../../src/index.ts';
import { field, parseWecomXml } from './xml.ts';

/**
 * Decrypted WeCom app callback XML → {@link IncomingMessage}. Pure.
 *
 * - text (`MsgType=text`) → `text` = `Content` as sent (markup-like text kept literal);
 * - image, voice, video, file, location, link → a message with no text (the bot answers that it
 *   reads text only);
 * - `Event=template_card_event` (a button click on a `button_interaction` card) → `action` =
 *   `EventKey`, the clicked button's `key`, which we set to the button's value;
 * - other events (`enter_agent`, `template_card_menu_event`, …) → `null`, ignored.
 *
 * The id is the dedupe key. Messages: `MsgId` (64-bit, kept as a string). Card clicks carry no
 * MsgId; each click gets its own `ResponseCode` (single-use, for updating the card) while a
 * redelivery of the same callback repeats it, so the id is `card:<TaskId>:<EventKey>:<ResponseCode>`.
 * Never sender + `CreateTime`: two clicks or messages in the same second are different turns.
 * @see https://developer.work.weixin.qq.com/document/path/96467 (message formats, MsgId 64-bit)
 * @see https://developer.work.weixin.qq.com/document/path/90240 (template_card_event)
 * @see https://developer.work.weixin.qq.com/document/path/94945 (ResponseCode: once, 72 h)
 */

/**
 * Decodes one decrypted callback.
 * @param xml the decrypted message XML
 * @returns the message, or `null` for events and types the bot ignores
 * @throws {BadRequestError} code `bad_request` when the XML is malformed or lacks the sender
 *   or the id field its type needs.
 */
export function decodeWecomMessage(xml: string): IncomingMessage | null {
  const root = parseWecomXml(xml);
  const msgType = field(root, 'MsgType')?.trim();
  const userId = field(root, 'FromUserName')?.trim();
  if (!msgType) throw new BadRequestError('callback has no MsgType');
  const createTime = Number(field(root, 'CreateTime')?.trim());
  const sentAt = Number.isFinite(createTime) && createTime > 0 ? createTime * 1000 : undefined;

  if (msgType === 'event') {
    if (field(root, 'Event')?.trim() !== 'template_card_event') return null;
    const key = field(root, 'EventKey');
    const taskId = field(root, 'TaskId')?.trim() ?? '';
    const code = field(root, 'ResponseCode')?.trim();
    if (!userId || !key) throw new BadRequestError('template_card_event without FromUserName or EventKey');
    // Without a ResponseCode nothing tells two clicks apart but the time: the best we can do.
    const click = code ?? `${userId}:${field(root, 'CreateTime')?.trim() ?? ''}`;
    return base(`card:${taskId}:${key}:${click}`, userId, sentAt, { action: key });
  }

  const msgId = field(root, 'MsgId')?.trim();
  if (!userId || !msgId) throw new BadRequestError(`${msgType} message without FromUserName or MsgId`);
  if (msgType === 'text') return base(msgId, userId, sentAt, { text: field(root, 'Content') ?? '' });
  // image, voice, video, file, location, link, and types added later: no text, so the bot
  // answers that it reads text only (every direct message gets a reply).
  return base(msgId, userId, sentAt, {});
}

function base(
  id: string,
  userId: string,
  sentAt: number | undefined,
  extra: Pick<IncomingMessage, 'text' | 'action'>,
): IncomingMessage {
  return {
    id,
    platform: 'wecom',
    userId,
    address: { platform: 'wecom', userId, chatType: 'direct' },
    ...extra,
    ...(sentAt !== undefined ? { sentAt } : {}),
  };
}
