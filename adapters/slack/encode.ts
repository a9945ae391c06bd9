import { listsButtons, numberedLabel, type OutgoingMessage } from '../../src/index.ts';

/** Slack text block limit is 3000 chars; `chat.postMessage` text up to 40k — we split at 3000. */
export const SLACK_TEXT_LIMIT = 3000;

const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Standard markdown → Slack mrkdwn: `**bold**` → `*bold*`, `[label](url)` → `<url|label>`,
 * `# heading` → `*heading*`, `&<>` escaped (outside links).
 * @see https://api.slack.com/reference/surfaces/formatting
 */
export function markdownToMrkdwn(md: string): string {
  const links: string[] = [];
  let s = md.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, (_, label: string, url: string) => {
    links.push(`<${url}|${escapeMrkdwn(label)}>`);
    return `\u0000${links.length - 1}\u0000`;
  });
  s = escapeMrkdwn(s)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/__(.+?)__/g, '*$1*')
    .replace(/^#{1,6}\s+(.+)$/gm, '*$1*');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => links[Number(i)]);
}

/**
 * One `OutgoingMessage` → a `chat.postMessage` body (without `channel`): `text` is the mrkdwn
 * fallback shown in notifications; buttons become a Block Kit `actions` block (≤ 25 buttons,
 * labels cut at 75 chars, values at 2000).
 * @see https://api.slack.com/methods/chat.postMessage
 * @see https://api.slack.com/reference/block-kit/block-elements#button
 */
export function encodeMessage(m: OutgoingMessage): Record<string, unknown> {
  const text = markdownToMrkdwn(
    m.title && !m.text.startsWith(m.title) ? `**${m.title}**\n${m.text}` : m.text,
  );
  if (!m.buttons?.length) return { text, mrkdwn: true };
  // The notification fallback names the choices once: in the text already, or appended.
  const numbered = m.buttons.map((b, i) => numberedLabel(b.label, i)).join('  ');
  return {
    text: listsButtons(text, m.buttons) ? text : `${text}\n${numbered}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SLACK_TEXT_LIMIT) } },
      {
        type: 'actions',
        elements: m.buttons.slice(0, 25).map((b, i) => ({
          type: 'button',
          action_id: `b${i}`,
          text: { type: 'plain_text', text: b.label.slice(0, 75), emoji: true },
          value: b.value.slice(0, 2000),
        })),
      },
    ],
  };
}
