import { defineMessages } from '../core/i18n.ts';

/** Texts of survey reminders (zh-CN first, en). */
export const M = defineMessages({
  notStarted: {
    'zh-CN':
      '📝 调研提醒：「{title}」将于 {date}截止，您还没有填写。回复「调研 {surveyId}」开始，几分钟就好。',
    en: '📝 Survey reminder: "{title}" closes {date} and we have not heard from you yet. Reply "survey {surveyId}" to start; it takes a few minutes.',
  },
  unfinished: {
    'zh-CN':
      '📝 调研提醒：「{title}」将于 {date}截止，您已答了一部分。回复「调研 {surveyId}」从上次的地方继续。',
    en: '📝 Survey reminder: "{title}" closes {date}; you are part-way through. Reply "survey {surveyId}" to pick up where you left off.',
  },
});
