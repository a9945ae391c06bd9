import { defineMessages } from '../core/i18n.ts';

/** Every user-facing text of milestones and the weekly digest (zh-CN first, en). */
export const M = defineMessages({
  ahead: {
    'zh-CN':
      '⏰ 里程碑提醒：「{title}」将于 {date}到期，还有 {days} 个工作日。\n计划：{plan}　负责人：{owner}',
    en: '⏰ Milestone reminder: "{title}" is due {date}, {days} working day(s) to go.\nPlan: {plan}  Owner: {owner}',
  },
  dueToday: {
    'zh-CN': '⏰ 里程碑今天到期：「{title}」。\n计划：{plan}　负责人：{owner}',
    en: '⏰ Milestone due today: "{title}".\nPlan: {plan}  Owner: {owner}',
  },
  dueLastWorkday: {
    'zh-CN':
      '⏰ 里程碑提醒：「{title}」{date}到期，今天是到期前最后一个工作日。\n计划：{plan}　负责人：{owner}',
    en: '⏰ Milestone reminder: "{title}" is due {date}; today is the last working day before it.\nPlan: {plan}  Owner: {owner}',
  },
  overdue: {
    'zh-CN':
      '⚠️ 里程碑已逾期：「{title}」原定 {date}到期，已逾期 {days} 个工作日。\n完成了请点「已完成」，需要更多时间请点「申请延期」。',
    en: '⚠️ Milestone overdue: "{title}" was due {date}, {days} working day(s) ago.\nTap "Done" if it is finished, or "Postpone" for more time.',
  },
  escalation: {
    'zh-CN':
      '⚠️ 里程碑逾期升级：「{title}」（计划「{plan}」）原定 {date}到期，已逾期 {days} 个工作日，负责人 {owner} 已收到 {nudges} 次提醒。',
    en: '⚠️ Milestone escalation: "{title}" (plan "{plan}") was due {date} and is {days} working day(s) overdue; the owner {owner} was reminded {nudges} times.',
  },
  escalationNoOwner: {
    'zh-CN':
      '⚠️ 里程碑逾期升级：「{title}」（计划「{plan}」）原定 {date}到期，已逾期 {days} 个工作日，还没有指定负责人。',
    en: '⚠️ Milestone escalation: "{title}" (plan "{plan}") was due {date} and is {days} working day(s) overdue; it has no owner yet.',
  },
  noOwner: { 'zh-CN': '未指定', en: 'unassigned' },
  btnDone: { 'zh-CN': '已完成', en: 'Done' },
  btnDelay: { 'zh-CN': '申请延期', en: 'Postpone' },
  btnPlan: { 'zh-CN': '查看计划', en: 'View plan' },
  markedDone: {
    'zh-CN': '好的，已记录「{title}」完成，谢谢您。',
    en: 'Noted: "{title}" is done. Thank you.',
  },
  alreadyDone: { 'zh-CN': '「{title}」已经标记为完成了。', en: '"{title}" is already marked done.' },
  notYours: {
    'zh-CN': '只有「{title}」的负责人或发起人可以修改它。负责人：{owner}',
    en: 'Only the owner or sponsor of "{title}" can change it. Owner: {owner}',
  },
  gone: { 'zh-CN': '这个里程碑已经不存在了。', en: 'That milestone no longer exists.' },
  askDate: {
    'zh-CN':
      '「{title}」现在 {date}到期。请回复新的到期日，例如 {example} 或 {exampleCn}。回复「取消」保持不变。',
    en: '"{title}" is due {date}. Reply with the new due date, e.g. {example}. Reply "cancel" to keep it.',
  },
  badDate: {
    'zh-CN': '没看懂这个日期。请回复例如 {example} 或 {exampleCn}；回复「取消」保持不变。',
    en: 'I could not read that date. Reply e.g. {example}; "cancel" keeps the old one.',
  },
  tooEarly: {
    'zh-CN': '新的到期日需要晚于 {date}。请回复一个更晚的日期。',
    en: 'The new due date must be after {date}. Please reply with a later date.',
  },
  notPast: {
    'zh-CN': '新的到期日不能早于今天（{date}）。请回复一个更晚的日期。',
    en: 'The new due date cannot be before today ({date}). Please reply with a later date.',
  },
  slipped: {
    'zh-CN': '已改期：「{title}」新的到期日为 {date}。',
    en: 'Postponed: "{title}" is now due {date}.',
  },
  slipNotice: {
    'zh-CN': '📅 里程碑延期：「{title}」（计划「{plan}」）由 {who} 从 {from}改到 {to}。',
    en: '📅 Milestone postponed: "{title}" (plan "{plan}") moved by {who} from {from} to {to}.',
  },
  delayCancelled: { 'zh-CN': '好的，到期日不变，仍是 {date}。', en: 'OK, the due date stays {date}.' },
  planHeader: { 'zh-CN': '📋 {plan}（{start}开始）', en: '📋 {plan} (started {start})' },
  planLine: { 'zh-CN': '{icon} {title}　{date}　{owner}', en: '{icon} {title}  {date}  {owner}' },
  digestHeader: {
    'zh-CN': '📋 项目周报（{from} – {to}）',
    en: '📋 Weekly project digest ({from} – {to})',
  },
  digestPlan: { 'zh-CN': '计划「{plan}」', en: 'Plan "{plan}"' },
  digestDone: { 'zh-CN': '✅ 上周完成：{items}', en: '✅ Done last week: {items}' },
  digestDue: { 'zh-CN': '📅 本周到期：{items}', en: '📅 Due this week: {items}' },
  digestOverdue: { 'zh-CN': '⚠️ 已逾期：{items}', en: '⚠️ Overdue: {items}' },
  digestQuiet: { 'zh-CN': '本周没有到期或逾期的里程碑。', en: 'Nothing due or overdue this week.' },
  digestItem: { 'zh-CN': '{title}（{owner}，{date}）', en: '{title} ({owner}, {date})' },
  digestOverdueItem: {
    'zh-CN': '{title}（{owner}，{date}，逾期 {days} 个工作日）',
    en: '{title} ({owner}, {date}, {days} working day(s) late)',
  },
});
