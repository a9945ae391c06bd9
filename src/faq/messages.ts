import { defineMessages } from '../core/i18n.ts';

/** Every FAQ text, zh-CN first (UX.md "FAQ": 您, one thing per message, no exclamation marks). */
export const M = defineMessages({
  help: {
    'zh-CN': '直接输入问题 — 例如「密码忘了怎么办」「调拨单怎么做」',
    en: 'Just type your question — e.g. "forgot my password", "how to make a transfer order"',
  },
  answerTitle: { 'zh-CN': '【{title}】', en: '[{title}]' },
  helpful: { 'zh-CN': '这个回答有帮助吗？', en: 'Did this answer help?' },
  up: { 'zh-CN': '有用', en: 'Helpful' },
  down: { 'zh-CN': '没用', en: 'Not helpful' },
  human: { 'zh-CN': '转人工', en: 'Talk to IT' },
  /** The candidates follow as buttons (numbered by the adapter where buttons do not exist). */
  suggest: {
    'zh-CN': '您是不是想问下面这些？点选一项，或回复「转人工」。',
    en: 'Did you mean one of these? Pick one, or reply "human".',
  },
  unknown: {
    'zh-CN': '这个问题我还不会。回复「转人工」，IT 同事会在 {hours} 个工作小时内回复您。',
    en: 'I cannot answer this yet. Reply "human" and IT staff will get back to you within {hours} working hours.',
  },
  outOfScope: {
    'zh-CN': '「{topic}」类的问题我回答不了。回复「转人工」，IT 同事会在 {hours} 个工作小时内回复您。',
    en: 'I cannot help with "{topic}" questions. Reply "human" and IT staff will get back to you within {hours} working hours.',
  },
  thanks: { 'zh-CN': '谢谢您的反馈，很高兴帮到您。', en: 'Thanks for the feedback — glad it helped.' },
  others: {
    'zh-CN': '抱歉没帮上忙。您要找的可能是下面这些，都不是的话请回复「转人工」。',
    en: 'Sorry that did not help. Maybe one of these — if none fits, reply "human".',
  },
  noMore: {
    'zh-CN': '抱歉没帮上忙，这个问题已记录下来。回复「转人工」，IT 同事会在 {hours} 个工作小时内回复您。',
    en: 'Sorry that did not help; the question has been noted. Reply "human" and IT staff will get back to you within {hours} working hours.',
  },
  gone: {
    'zh-CN': '这条答案已经更新或下线了，请重新输入您的问题。',
    en: 'That answer has been updated or removed. Please ask your question again.',
  },
});
