import { localTime } from '../calendar/time.ts';
import { defineMessages, t } from '../core/i18n.ts';
import type { Button, Locale } from '../core/types.ts';
import type { Ticket, TicketSettings } from './model.ts';

/** Every ticket text, zh-CN first (UX.md: 您, one thing per message, no exclamation marks in errors). */
export const M = defineMessages({
  help: { 'zh-CN': '转人工 — 把问题转给 IT 同事', en: 'human — hand your question to IT staff' },
  describe: {
    'zh-CN': '请用一两句话描述您遇到的问题，我会转给 IT 同事。回复「取消」放弃。',
    en: 'Please describe your problem in a sentence or two and I will pass it to IT. Reply "cancel" to stop.',
  },
  describeCancelled: {
    'zh-CN': '好的，已取消。需要时随时回复「转人工」。',
    en: 'OK, cancelled. Reply "human" whenever you need IT.',
  },
  createdUnassigned: {
    'zh-CN':
      '已为您创建工单 {id}，您的问题和最近的对话都已记录，IT 同事会尽快联系您。如果很急，请直接联系公司 IT。',
    en: 'Ticket {id} is open with your question and the recent conversation; IT will contact you as soon as they can. If it is urgent, please contact your IT team directly.',
  },
  promiseWorking: {
    'zh-CN': 'IT 同事会在 {hours} 个工作小时内回复您',
    en: 'IT staff will reply within {hours} working hours',
  },
  promiseNatural: {
    'zh-CN': 'IT 同事会在 {hours} 小时内回复您',
    en: 'IT staff will reply within {hours} hours',
  },
  created: {
    'zh-CN': '已为您创建工单 {id}。{promise}（最晚 {due}），回复会发到这里。',
    en: 'Ticket {id} is open. {promise} (by {due}); the reply will come here.',
  },
  duplicate: {
    'zh-CN': '这个问题已经在工单 {id} 里了，IT 同事会尽快回复您（最晚 {due}）。',
    en: 'This question is already in ticket {id}; IT will reply soon (by {due}).',
  },
  newTicket: {
    'zh-CN':
      '🎫 新工单 {id}{category}\n提问人：{requester}\n问题：{question}\n最近对话：\n{history}\n首次回复截止：{due}\n也可以回复文字：认领 {id}、回复 {id} 内容、解决 {id}、升级 {id}',
    en: '🎫 New ticket {id}{category}\nFrom: {requester}\nQuestion: {question}\nRecent turns:\n{history}\nFirst reply due: {due}\nOr type: claim {id}, reply {id} <text>, resolve {id}, escalate {id}',
  },
  refused: {
    'zh-CN': '抱歉，只有 IT 支持同事可以处理工单。如需帮助，请回复「转人工」。',
    en: 'Sorry, only IT support staff can handle tickets. Reply "human" if you need help.',
  },
  notFound: {
    'zh-CN': '没有找到工单 {id}，请检查编号，例如：回复 T12 您好……',
    en: 'Ticket {id} was not found. Please check the number, e.g. reply T12 Hello…',
  },
  notYours: { 'zh-CN': '工单 {id} 不是您提交的。', en: 'Ticket {id} is not yours.' },
  state: { 'zh-CN': '工单 {id} 当前状态：{status}。', en: 'Ticket {id} is {status}.' },
  claimedOk: {
    'zh-CN': '已认领工单 {id}。点「回复」或发送「回复 {id} 内容」回复提问人。',
    en: 'You claimed ticket {id}. Tap Reply or send "reply {id} <text>" to answer.',
  },
  alreadyClaimed: {
    'zh-CN': '工单 {id} 已由 {handler} 认领。',
    en: 'Ticket {id} is already claimed by {handler}.',
  },
  claimedNotice: {
    'zh-CN': '{who}已接手您的工单 {id}，正在处理。',
    en: '{who} has taken your ticket {id} and is on it.',
  },
  replyPrompt: {
    'zh-CN': '请输入要转给对方的回复（工单 {id}）。回复「取消」放弃。',
    en: 'Type your reply for ticket {id}. Reply "cancel" to stop.',
  },
  replyCancelled: { 'zh-CN': '已取消回复。', en: 'Reply cancelled.' },
  emptyReply: {
    'zh-CN': '回复内容是空的。请这样发送：回复 {id} 您好，请……',
    en: 'The reply is empty. Send it like this: reply {id} Hello, please…',
  },
  relayToRequester: {
    'zh-CN': '💬 {who}回复了您的工单 {id}：\n{text}\n\n需要回复请点「回复」，或发送「回复 {id} 您的内容」。',
    en: '💬 {who} replied to your ticket {id}:\n{text}\n\nTo answer, tap Reply, or send "reply {id} <your text>".',
  },
  answerPrompt: {
    'zh-CN': '请发一条消息，我会转给 IT 同事（工单 {id}）。回复「取消」放弃。',
    en: 'Send one message and I will pass it to IT (ticket {id}). Reply "cancel" to stop.',
  },
  answerCancelled: {
    'zh-CN': '好的，没有转给 IT 同事。',
    en: 'OK, nothing was passed to IT.',
  },
  replySent: { 'zh-CN': '已转给提问人（工单 {id}）。', en: 'Sent to the requester (ticket {id}).' },
  relayToHandler: {
    'zh-CN': '💬 提问人 {requester} 回复了工单 {id}：\n{text}',
    en: '💬 {requester} replied on ticket {id}:\n{text}',
  },
  answerSent: { 'zh-CN': '已转给 IT 同事（工单 {id}）。', en: 'Passed to IT (ticket {id}).' },
  resolvedOk: {
    'zh-CN': '工单 {id} 已标记为解决，正在等提问人确认。',
    en: 'Ticket {id} is marked resolved; waiting for the requester to confirm.',
  },
  resolvedAsk: {
    'zh-CN': '您的工单 {id} 已标记为解决。问题解决了吗？',
    en: 'Your ticket {id} is marked resolved. Is the problem solved?',
  },
  confirmedThanks: {
    'zh-CN': '谢谢确认，工单 {id} 已关闭。',
    en: 'Thanks for confirming; ticket {id} is closed.',
  },
  confirmedToHandler: {
    'zh-CN': '提问人已确认工单 {id} 解决，工单已关闭。',
    en: 'The requester confirmed ticket {id}; it is closed.',
  },
  reopenedAck: {
    'zh-CN': '好的，工单 {id} 已重新打开，IT 同事会继续处理。需要补充说明请点「回复」。',
    en: 'OK, ticket {id} is reopened and IT will keep working on it. Tap Reply to add details.',
  },
  reopenedToHandler: {
    'zh-CN': '工单 {id} 的提问人反馈问题还没解决，工单已重新打开。\n问题：{question}',
    en: 'The requester says ticket {id} is not solved; it is reopened.\nQuestion: {question}',
  },
  escalatedOk: {
    'zh-CN': '工单 {id} 已升级到三级支持（原厂）。{vendor}',
    en: 'Ticket {id} is escalated to level three (the vendor). {vendor}',
  },
  vendorPushed: {
    'zh-CN': '已把工单和处理记录发给 {vendor}。',
    en: 'The ticket and its history were sent to {vendor}.',
  },
  vendorContact: {
    'zh-CN': '请联系原厂：{vendor}，并转发以下记录：\n{history}',
    en: 'Please contact the vendor: {vendor}, and forward this record:\n{history}',
  },
  vendorMissing: {
    'zh-CN': '还没有配置原厂联系方式（TICKET_VENDOR），请按公司流程联系原厂。记录如下：\n{history}',
    en: 'No vendor contact is configured (TICKET_VENDOR); please contact the vendor as usual. Record:\n{history}',
  },
  toVendor: {
    'zh-CN':
      '🆘 三级支持请求：工单 {id}{category}\n提问人：{requester}\n问题：{question}\n处理记录：\n{history}',
    en: '🆘 Level-three request: ticket {id}{category}\nFrom: {requester}\nQuestion: {question}\nHistory:\n{history}',
  },
  escalatedNotice: {
    'zh-CN': '您的工单 {id} 已转交软件原厂（三级支持）处理，有进展会在这里通知您。',
    en: 'Your ticket {id} has gone to the software vendor (level three); you will hear about progress here.',
  },
  remind: {
    'zh-CN': '⏰ 工单 {id} 还没有回复，请在 {due} 前首次回复提问人。\n问题：{question}',
    en: '⏰ Ticket {id} has no reply yet; the first reply is due by {due}.\nQuestion: {question}',
  },
  breach: {
    'zh-CN':
      '⚠️ 工单 {id} 超时未回复：首次回复时限 {budget}，截止 {due}，提问人还没有收到回复。\n提问人：{requester}\n问题：{question}\n提交时间：{since}\n处理人：{handlers}',
    en: '⚠️ Ticket {id} missed its first-reply deadline: {budget}, due {due}; the requester has had no reply yet.\nFrom: {requester}\nQuestion: {question}\nOpened: {since}\nHandlers: {handlers}',
  },
  budgetWorking: { 'zh-CN': '{hours} 个工作小时', en: '{hours} working hours' },
  budgetNatural: { 'zh-CN': '{hours} 小时', en: '{hours} hours' },
  handlerClaimed: { 'zh-CN': '{who}（已认领）', en: '{who} (claimed)' },
  handlersUnclaimed: { 'zh-CN': '未认领；已通知 {who}', en: 'unclaimed; notified {who}' },
  bOpen: { 'zh-CN': '转人工', en: 'Ask IT' },
  bClaim: { 'zh-CN': '认领', en: 'Claim' },
  bReply: { 'zh-CN': '回复', en: 'Reply' },
  bResolve: { 'zh-CN': '解决', en: 'Resolve' },
  bEscalate: { 'zh-CN': '升级', en: 'Escalate' },
  bConfirm: { 'zh-CN': '已解决', en: 'Solved' },
  bReopen: { 'zh-CN': '未解决', en: 'Not solved' },
  sOpen: { 'zh-CN': '待处理', en: 'open' },
  sClaimed: { 'zh-CN': '处理中', en: 'in progress' },
  sResolved: { 'zh-CN': '待确认', en: 'resolved, awaiting confirmation' },
  sClosed: { 'zh-CN': '已关闭', en: 'closed' },
  sEscalated: { 'zh-CN': '已升级原厂', en: 'escalated to the vendor' },
  who: { 'zh-CN': 'IT 同事', en: 'IT staff' },
  user: { 'zh-CN': '用户', en: 'User' },
  bot: { 'zh-CN': '机器人', en: 'Bot' },
  none: { 'zh-CN': '（无）', en: '(none)' },
});

const STATUS = {
  open: M.sOpen,
  claimed: M.sClaimed,
  resolved: M.sResolved,
  closed: M.sClosed,
  escalated: M.sEscalated,
} as const;

/** Localized status name. */
export const statusText = (l: Locale, s: Ticket['status']): string => t(l, STATUS[s]);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Deadline as local time: `10月8日 11:00` / `Oct 8, 11:00` in time zone `tz`. */
export function formatDue(l: Locale, ms: number, tz: string): string {
  const { ymd, hh, mm } = localTime(ms, tz);
  const [, mo, d] = ymd.split('-').map(Number);
  const hm = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
  return l === 'en' ? `${MONTHS[mo - 1]} ${d}, ${hm}` : `${mo}月${d}日 ${hm}`;
}

/** `IT 同事会在 4 个工作小时内回复您` (or natural hours). */
export function promise(l: Locale, s: TicketSettings): string {
  const hours = String(Number(s.slaHours.toFixed(2)));
  return t(l, s.sla.mode === 'working' ? M.promiseWorking : M.promiseNatural, { hours });
}

/** `4 个工作小时` / `4 hours`: the first-reply budget, as the handlers' lead reads it. */
export function budget(l: Locale, s: TicketSettings): string {
  const hours = String(Number(s.slaHours.toFixed(2)));
  return t(l, s.sla.mode === 'working' ? M.budgetWorking : M.budgetNatural, { hours });
}

/** The requester's 回复 button on a relayed handler reply (value `ticket:answer:<id>`). */
export const answerButton = (l: Locale, id: string): Button => ({
  label: t(l, M.bReply),
  value: `ticket:answer:${id}`,
});

/** The four handler buttons (values `ticket:<verb>:<id>`). */
export function handlerButtons(
  l: Locale,
  id: string,
  only?: Array<'claim' | 'reply' | 'resolve' | 'escalate'>,
): Button[] {
  const all = [
    { label: t(l, M.bClaim), value: `ticket:claim:${id}` },
    { label: t(l, M.bReply), value: `ticket:reply:${id}` },
    { label: t(l, M.bResolve), value: `ticket:resolve:${id}` },
    { label: t(l, M.bEscalate), value: `ticket:escalate:${id}` },
  ];
  return only ? all.filter((b) => only.some((v) => b.value.startsWith(`ticket:${v}:`))) : all;
}

/** `张三（wecom:zhangsan）` or the bare key. */
export const requesterText = (tk: Ticket): string =>
  tk.requesterName ? `${tk.requesterName}（${tk.requester}）` : tk.requester;

/** ` · 账号` after the id when a category was guessed. */
export const categoryText = (tk: Ticket): string => (tk.category ? ` · ${tk.category}` : '');

/** The requester's recent turns, one line each, cut to 80 characters. */
export function historyText(l: Locale, tk: Ticket): string {
  const lines = tk.history.map(
    (h) => `${t(l, h.from === 'user' ? M.user : M.bot)}：${h.text.replace(/\s+/g, ' ').slice(0, 80)}`,
  );
  return lines.length ? lines.join('\n') : t(l, M.none);
}

/** The ticket's events (for the vendor and the escalation record), one line each. */
export function eventsText(l: Locale, tk: Ticket, tz: string): string {
  return tk.events
    .map(
      (e) =>
        `${formatDue(l, e.at, tz)} ${e.type}${e.by ? ` ${e.by}` : ''}${e.text ? `：${e.text.slice(0, 200)}` : ''}`,
    )
    .join('\n');
}
