import { listsButtons, markdownToPlain, numberedLabel, type OutgoingMessage } from '../../src/index.ts';

/** Text message content limit we split at (Feishu allows ~150 KB per request; cards ~30 KB). */
export const FEISHU_TEXT_LIMIT = 4000;

/** A body for `POST /open-apis/im/v1/messages` without `receive_id`. `content` is a JSON STRING. */
export interface FeishuMessageBody {
  msg_type: 'text' | 'interactive';
  content: string;
}

const HAS_MARKDOWN = /\*\*|\[[^\]]+\]\(https?:|^#{1,6}\s/m;

/**
 * Renders one message: buttons or markdown → an interactive card (`lark_md` body, buttons whose
 * `value` is `{v: <button value>}`, numbered labels kept in the text as a fallback for clients
 * that cannot show the card); plain text → a `text` message.
 * @see https://open.feishu.cn/document/server-docs/im-v1/message-content-description/create_json
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uEjNwUjLxYDM14SM2ATN (card JSON)
 */
export function encodeFeishu(m: OutgoingMessage): FeishuMessageBody {
  if (!m.buttons?.length && !HAS_MARKDOWN.test(m.text)) {
    return {
      msg_type: 'text',
      content: JSON.stringify({ text: m.title ? `${m.title}\n${m.text}` : m.text }),
    };
  }
  const elements: unknown[] = [{ tag: 'div', text: { tag: 'lark_md', content: m.text } }];
  if (m.buttons?.length) {
    elements.push({
      tag: 'action',
      actions: m.buttons.slice(0, 20).map((b, i) => ({
        tag: 'button',
        text: { tag: 'plain_text', content: numberedLabel(b.label, i) },
        type: i === 0 ? 'primary' : 'default',
        value: { v: b.value },
      })),
    });
  }
  const card = {
    config: { wide_screen_mode: true, update_multi: false },
    ...(m.title ? { header: { title: { tag: 'plain_text', content: m.title } } } : {}),
    elements,
  };
  return { msg_type: 'interactive', content: JSON.stringify(card) };
}

/** The plain-text fallback of a message (used when a card is refused). */
export function encodeFeishuText(m: OutgoingMessage): FeishuMessageBody {
  const lines = [m.title, markdownToPlain(m.text)].filter(Boolean);
  if (m.buttons?.length && !listsButtons(lines.join('\n'), m.buttons))
    lines.push(m.buttons.map((b, i) => numberedLabel(b.label, i)).join('  '), '回复数字或选项名称');
  return { msg_type: 'text', content: JSON.stringify({ text: lines.join('\n') }) };
}
