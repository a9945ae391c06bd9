import { createHash } from 'node:crypto';
import type { Button, Locale, OutgoingMessage } from '../../src/index.ts';
import { defineMessages, listsButtons, markdownToPlain, numberedLabel, t } from '../../src/index.ts';

/**
 * {@link OutgoingMessage} → DingTalk message bodies. Pure.
 *
 * - Text with markdown (bold, links, headings, lists, code) → `sampleMarkdown` / `markdown`
 *   with the text unchanged (DingTalk markdown keeps `**bold**` and `[x](url)`); plain text →
 *   `sampleText` / `text`, which keeps line breaks exactly.
 * - Buttons → an interactive card when a card template is configured (`StandardCard` JSON with
 *   one `request` button per choice), else numbered text (`1. 生产型  2. 商贸型` + how to answer).
 * @see https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
 * @see https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
 * @see https://open.dingtalk.com/document/orgapp/robots-send-interactive-cards
 */

/**
 * Longest text we put in one DingTalk message, in UTF-16 units. DingTalk documents no single
 * figure for robot messages (unverified); 4,000 keeps well inside what is seen accepted.
 */
export const DINGTALK_TEXT_MAX_CHARS = 4000;

/** The `cardTemplateId` that takes a whole card JSON in `cardData`. */
export const STANDARD_CARD = 'StandardCard';

const M = defineMessages({
  answerHint: { 'zh-CN': '回复数字或选项名称', en: 'Reply with a number or the option name' },
  choose: { 'zh-CN': '请选择', en: 'Please choose' },
});

/** One message rendered for DingTalk: markdown or plain, with a title for notifications. */
export interface Rendered {
  kind: 'markdown' | 'text';
  /** Notification / conversation-list title (plain, ≤ 20 characters). */
  title: string;
  text: string;
}

/** Robot OpenAPI message (`oToMessages/batchSend`, `groupMessages/send`): `msgParam` is a JSON string. */
export interface RobotMsg {
  msgKey: 'sampleMarkdown' | 'sampleText';
  msgParam: string;
}

/** `sessionWebhook` / custom-robot body. */
export type WebhookMsg =
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | { msgtype: 'text'; text: { content: string } };

const MARKDOWN = /\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\s]+\)|^\s{0,3}#{1,6}\s|^\s*[-*+]\s|`|^\s*>/m;

/** True when `text` uses markdown DingTalk renders (bold, links, headings, bullets, code, quotes). */
export function hasMarkdown(text: string): boolean {
  return MARKDOWN.test(text);
}

/** zh-CN unless the text has no CJK character but has Latin letters. */
export function localeOf(text: string): Locale {
  return /\p{Script=Han}/u.test(text) || !/[A-Za-z]/.test(text) ? 'zh-CN' : 'en';
}

/**
 * Renders a message as one DingTalk message. Buttons become numbered text here, unless the
 * text already lists them (the card path is {@link buildCardData}).
 * @param message the outgoing message; `title`, when set, heads the text
 * @param locale language of the "reply with a number" hint (default: guessed from the text)
 */
export function render(message: OutgoingMessage, locale: Locale = localeOf(message.text)): Rendered {
  let text = message.text.trim();
  if (message.buttons?.length && !listsChoices(text, message.buttons))
    text = `${text ? `${text}\n` : ''}${numbered(message.buttons, locale)}`;
  const markdown = hasMarkdown(text) || (message.title !== undefined && hasMarkdown(message.title));
  if (message.title && !text.startsWith(message.title))
    text = markdown ? `**${message.title}**\n\n${text}` : `${message.title}\n${text}`;
  return { kind: markdown ? 'markdown' : 'text', title: titleOf(message, locale), text };
}

/** The robot OpenAPI form of a rendered message. */
export function toRobotMsg(r: Rendered): RobotMsg {
  return r.kind === 'markdown'
    ? { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: r.title, text: r.text }) }
    : { msgKey: 'sampleText', msgParam: JSON.stringify({ content: r.text }) };
}

/** The `sessionWebhook` / custom group robot form of a rendered message. */
export function toWebhookMsg(r: Rendered): WebhookMsg {
  return r.kind === 'markdown'
    ? { msgtype: 'markdown', markdown: { title: r.title, text: r.text } }
    : { msgtype: 'text', text: { content: r.text } };
}

/**
 * True when the text already numbers every choice (`1. 生产型` … — features such as the survey
 * write their options into the text themselves), so the fallback must not list them twice.
 */
export function listsChoices(text: string, buttons: Button[]): boolean {
  return listsButtons(text, buttons);
}

/** `1. 生产型  2. 商贸型  3. 服务业` (one line when short, else one per line) and the hint. */
export function numbered(buttons: Button[], locale: Locale): string {
  const items = buttons.map((b, i) => numberedLabel(b.label, i));
  const oneLine = items.join('  ');
  return `${oneLine.length <= 30 ? oneLine : items.join('\n')}\n${t(locale, M.answerHint)}`;
}

/**
 * A button's card id: `btn_` + the value's UTF-8 bytes in hex, so any value survives DingTalk's
 * id charset and comes back in the click's `actionIds`.
 */
export function buttonActionId(value: string): string {
  return `btn_${Buffer.from(value, 'utf8').toString('hex')}`;
}

/** The value behind a {@link buttonActionId}; `undefined` for other ids. */
export function parseButtonActionId(id: string): string | undefined {
  const m = /^btn_((?:[0-9a-f]{2})+)$/.exec(id);
  return m ? Buffer.from(m[1], 'hex').toString('utf8') : undefined;
}

/**
 * A `cardBizId` (outTrackId) from the outbox's idempotency key: stable across retries, so a
 * retried card is the same card to DingTalk.
 * @returns `rb` + 32 hex digits
 */
export function cardBizIdFor(idempotencyKey: string): string {
  return `rb${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

/**
 * The `cardData` JSON string of an interactive card with the message's buttons.
 * - `StandardCard`: a whole card — header title, the text as markdown, one `request` button
 *   per choice whose `id` is {@link buttonActionId}.
 * - Any other template id (built in DingTalk's card builder): `cardParamMap` with `title`,
 *   `content` (markdown) and `buttons` (JSON `[{text, value, id}]`); the template's buttons must
 *   return `value` (or use `id` as their action id) in the callback.
 */
export function buildCardData(message: OutgoingMessage, templateId: string): string {
  const locale = localeOf(message.text);
  const title = message.title?.trim() || titleOf(message, locale);
  const buttons = message.buttons ?? [];
  if (templateId !== STANDARD_CARD) {
    const list = buttons.map((b) => ({ text: b.label, value: b.value, id: buttonActionId(b.value) }));
    return JSON.stringify({ cardParamMap: { title, content: message.text, buttons: JSON.stringify(list) } });
  }
  return JSON.stringify({
    config: { autoLayout: true, enableForward: false },
    header: { title: { type: 'text', text: title } },
    contents: [
      { type: 'markdown', text: message.text, id: 'markdown_body' },
      {
        type: 'action',
        actions: buttons.map((b, i) => ({
          type: 'button',
          label: { type: 'text', text: b.label, id: `label_${i}` },
          actionType: 'request',
          status: i === 0 ? 'primary' : 'normal',
          id: buttonActionId(b.value),
        })),
        id: 'action_choices',
      },
    ],
  });
}

/** Message title, else its first plain line (links as their labels), cut to 20 characters (grapheme-safe). */
function titleOf(message: OutgoingMessage, locale: Locale): string {
  const firstLine = () =>
    markdownToPlain(message.text.replace(/!?\[([^\]\n]*)\]\([^)\s]*\)/g, '$1'))
      .trim()
      .split('\n')[0]
      ?.trim();
  const source = message.title?.trim() || firstLine() || '';
  const g = Array.from(
    new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(source),
    (s) => s.segment,
  );
  const cut = g.length > 20 ? `${g.slice(0, 19).join('')}…` : source;
  return cut || t(locale, M.choose);
}
