import { createHash } from 'node:crypto';
import type { Address, Button, Locale, OutgoingMessage } from '../../src/index.ts';
import {
  defineMessages,
  listsButtons,
  markdownToPlain,
  numberedLabel,
  PlatformApiError,
  splitByBytes,
  t,
} from '../../src/index.ts';

/**
 * {@link OutgoingMessage} → WeCom `message/send` request bodies. Pure.
 *
 * - Text: markdown rendered as plain text (WeCom app `text` has no markdown), split into pieces
 *   of at most 2,048 UTF-8 bytes on grapheme boundaries, sent in order.
 * - Buttons: a `template_card` of `card_type: button_interaction` (title, text, ≤ 6 buttons whose
 *   `key` is the button's value, so a click comes back as `EventKey` = value). When the card
 *   cannot hold the message — more than 6 buttons, text or labels over the field limits,
 *   repeated values — numbered text instead (`1. 生产型  2. 商贸型` + how to answer), which the
 *   router accepts as a number or a label.
 * @see https://developer.work.weixin.qq.com/document/path/90236 (message/send, text ≤ 2048 bytes,
 *   template_card fields and limits)
 */

/** Largest `text.content` WeCom takes, in UTF-8 bytes. */
export const WECOM_TEXT_MAX_BYTES = 2048;

/**
 * `button_interaction` field limits (doc 90236 / 90372: title ≤ 36 字, sub_title_text ≤ 160 字,
 * button text ≤ 10 字, ≤ 6 buttons, key ≤ 1024 bytes and unique, task_id ≤ 128 bytes of
 * `[0-9A-Za-z_-@]`). The character limits are advice in the doc; we keep to them so the card
 * shows the whole text rather than an ellipsis.
 */
export const CARD_LIMITS = {
  buttons: 6,
  titleChars: 36,
  subTitleChars: 160,
  buttonTextWidth: 10,
  keyBytes: 1024,
  taskIdBytes: 128,
} as const;

export interface WecomTextBody {
  touser: string;
  msgtype: 'text';
  agentid: number;
  text: { content: string };
  /** 1: WeCom drops the same content to the same member within `duplicate_check_interval` s. */
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
}

/**
 * Seconds WeCom's duplicate check looks back for pushes (30 min, its default; at most 4 h): a
 * push re-sent after a crash within that time is dropped by WeCom instead of reaching the member
 * twice. Replies never ask for it: a re-asked survey question legitimately repeats its text.
 * @see https://developer.work.weixin.qq.com/document/path/90236 (enable_duplicate_check)
 */
export const WECOM_DUPLICATE_CHECK_S = 1800;

export interface WecomCardButton {
  text: string;
  style: number;
  key: string;
}

export interface WecomCardBody {
  touser: string;
  msgtype: 'template_card';
  agentid: number;
  template_card: {
    card_type: 'button_interaction';
    main_title: { title: string };
    sub_title_text?: string;
    task_id: string;
    button_list: WecomCardButton[];
  };
}

/** One `message/send` request body. */
export type WecomSendBody = WecomTextBody | WecomCardBody;

const M = defineMessages({
  answerHint: { 'zh-CN': '回复数字或选项名称', en: 'Reply with a number or the option name' },
});

/**
 * A `task_id` for a card, derived from the outbox's idempotency key, so it is the same on every
 * retry of one message and different between messages. WeCom wants task_id unique per app
 * (doc 90236), so a retry of a card it already accepted (say, the answer was lost to a timeout)
 * should be refused rather than shown twice — the errcode for that is not documented; the outbox
 * then dead-letters the retry with it. Within WeCom's charset (`[0-9A-Za-z_-@]`) and 128 bytes.
 * @returns `rb_` + 40 hex digits
 * @see https://developer.work.weixin.qq.com/document/path/90236
 */
export function taskIdFor(idempotencyKey: string): string {
  return `rb_${createHash('sha1').update(idempotencyKey).digest('hex')}`;
}

/**
 * Encodes one message for one member.
 * @param to the member (`userId` = WeCom UserID)
 * @param opts `agentId` (the app's AgentId), `taskId` for a card (see {@link taskIdFor}),
 *   `locale` of the numbered-text hint (default zh-CN)
 * @returns request bodies to send in order; `[]` for an empty message without buttons
 * @throws {PlatformApiError} platform `wecom`, not retryable, when `to` has no userId (app
 *   messages go to members; groups would need `appchat/send`).
 */
export function encodeWecomMessage(
  to: Address,
  message: OutgoingMessage,
  opts: { agentId: number; taskId: string; locale?: Locale; duplicateCheck?: boolean },
): WecomSendBody[] {
  if (!to.userId)
    throw new PlatformApiError({
      platform: 'wecom',
      method: 'message/send',
      message: 'address has no userId',
    });
  const head: TextHead = {
    touser: to.userId,
    agentid: opts.agentId,
    ...(opts.duplicateCheck
      ? { enable_duplicate_check: 1 as const, duplicate_check_interval: WECOM_DUPLICATE_CHECK_S }
      : {}),
  };
  const plain = markdownToPlain(message.text).trim();
  const buttons = message.buttons ?? [];
  if (buttons.length) {
    const card = buildCard(plain, message.title, buttons, opts.taskId);
    // A card needs no duplicate check: its task_id (from the idempotency key) is single-use.
    if (card)
      return [{ touser: head.touser, agentid: head.agentid, msgtype: 'template_card', template_card: card }];
    // Features such as the survey already number their options in the text; do not list twice.
    const listed = listsButtons(plain, buttons);
    if (listed) return texts(head, plain);
    return texts(head, `${plain ? `${plain}\n\n` : ''}${numbered(buttons, opts.locale ?? 'zh-CN')}`);
  }
  return texts(head, plain);
}

type TextHead = Omit<WecomTextBody, 'msgtype' | 'text'>;

function texts(head: TextHead, text: string): WecomTextBody[] {
  return splitByBytes(text, WECOM_TEXT_MAX_BYTES).map((content) => ({
    ...head,
    msgtype: 'text',
    text: { content },
  }));
}

/** The card, or `undefined` when the message does not fit one. */
function buildCard(
  plain: string,
  title: string | undefined,
  buttons: Button[],
  taskId: string,
): WecomCardBody['template_card'] | undefined {
  if (buttons.length > CARD_LIMITS.buttons) return undefined;
  if (!/^[0-9A-Za-z_\-@]{1,128}$/.test(taskId)) return undefined;
  const keys = new Set(buttons.map((b) => b.value));
  if (keys.size !== buttons.length) return undefined;
  for (const b of buttons) {
    if (!b.value || Buffer.byteLength(b.value) > CARD_LIMITS.keyBytes) return undefined;
    if (!b.label.trim() || displayWidth(b.label) > CARD_LIMITS.buttonTextWidth) return undefined;
  }
  let main = title ? markdownToPlain(title).trim() : '';
  let sub = plain;
  if (!main) {
    // The card's title is the question: the line just above the numbered options when the text
    // lists them (a survey's first message opens with a welcome), else the first line.
    const lines = plain.split('\n');
    const firstOption = listsButtons(plain, buttons)
      ? lines.findIndex((l) => l.trim().startsWith('1. '))
      : -1;
    let at = 0;
    for (let k = firstOption - 1; k >= 0; k--)
      if (lines[k].trim()) {
        at = k;
        break;
      }
    const line = lines[at].trim();
    if (chars(line) <= CARD_LIMITS.titleChars) {
      main = line;
      sub = lines
        .filter((_, k) => k !== at)
        .join('\n')
        .trim();
    } else main = `${[...graphemes(line)].slice(0, CARD_LIMITS.titleChars - 1).join('')}…`;
  } else if (chars(main) > CARD_LIMITS.titleChars) return undefined;
  if (!main || chars(sub) > CARD_LIMITS.subTitleChars) return undefined;
  return {
    card_type: 'button_interaction',
    main_title: { title: main },
    ...(sub ? { sub_title_text: sub } : {}),
    task_id: taskId,
    button_list: buttons.map((b) => ({ text: b.label.trim(), style: 1, key: b.value })),
  };
}

/** `1. 生产型  2. 商贸型  3. 服务业` (one line when short, else one option per line) + hint. */
function numbered(buttons: Button[], locale: Locale): string {
  const items = buttons.map((b, i) => numberedLabel(b.label, i));
  const oneLine = items.join('  ');
  const body = displayWidth(oneLine) <= 30 ? oneLine : items.join('\n');
  return `${body}\n${t(locale, M.answerHint)}`;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
function* graphemes(s: string): Generator<string> {
  for (const g of segmenter.segment(s)) yield g.segment;
}

/** Length in user-perceived characters (graphemes), as WeCom's 字 limits count. */
function chars(s: string): number {
  let n = 0;
  for (const _ of graphemes(s)) n++;
  return n;
}

/** Display width in 字: a CJK or other wide grapheme is 1, an ASCII one ½. */
function displayWidth(s: string): number {
  let w = 0;
  for (const g of graphemes(s)) w += g.length === 1 && g.charCodeAt(0) < 0x80 ? 0.5 : 1;
  return w;
}
