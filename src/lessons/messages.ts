import { defineMessages } from '../core/i18n.ts';

/** Every user-facing text of the lessons feature and job (zh-CN first, en). */
export const M = defineMessages({
  headerPush: {
    'zh-CN': '{emoji} 今日微课（{track} {n}/{total}）：{title}',
    en: "{emoji} Today's lesson ({track} {n}/{total}): {title}",
  },
  header: {
    'zh-CN': '{emoji} 微课（{track} {n}/{total}）：{title}',
    en: '{emoji} Lesson ({track} {n}/{total}): {title}',
  },
  quiz: {
    'zh-CN': '小测验：{question}\n{options}\n回复选项数字作答',
    en: "Quick check: {question}\n{options}\nReply with the option's number",
  },
  noQuizHint: {
    'zh-CN': '看完请点「学完了」。',
    en: 'Tap "Done" when you have read it.',
  },
  btnDone: { 'zh-CN': '学完了', en: 'Done' },
  btnNext: { 'zh-CN': '下一课', en: 'Next lesson' },
  // The verdict alone on the first line: WeCom titles its card with it (≤ 26 characters).
  right: { 'zh-CN': '✅ 回答正确。\n{explain}', en: '✅ Correct.\n{explain}' },
  wrongRetry: {
    'zh-CN': '这次没答对，再想想？您还有一次机会，回复数字作答。',
    en: 'Not quite. Have another go: one more try, reply with the number.',
  },
  wrongFinal: {
    'zh-CN': '这次也没答对。正确答案是：{n}. {option}\n{explain}',
    en: 'Not this time either. The answer is: {n}. {option}\n{explain}',
  },
  already: {
    'zh-CN': '这题您已经答过了（{result}）。{explain}',
    en: 'You already answered this one ({result}). {explain}',
  },
  resultRight: { 'zh-CN': '答对了', en: 'correct' },
  resultWrong: { 'zh-CN': '没答对', en: 'not correct' },
  nextHint: { 'zh-CN': '回复「课程」学下一课。', en: 'Reply "lesson" for the next one.' },
  markedDone: {
    'zh-CN': '好的，已记录您学完了「{title}」。回复「课程」学下一课。',
    en: 'Noted: you finished "{title}". Reply "lesson" for the next one.',
  },
  progressHeader: { 'zh-CN': '您的微课进度：', en: 'Your lessons so far:' },
  progressLine: {
    'zh-CN': '{emoji} {track}：已学 {done}/{total}',
    en: '{emoji} {track}: {done}/{total} done',
  },
  progressQuiz: { 'zh-CN': '，测验答对 {correct}/{answered}', en: ', quiz {correct}/{answered} right' },
  allDone: {
    'zh-CN': '您的微课都学完了，谢谢您。想复习可以回复「教我」加主题，例如「教我{example}」。',
    en: 'You have finished all your lessons, thank you. To review one, reply "teach me" and a topic, e.g. "teach me {example}".',
  },
  noTracks: {
    'zh-CN': '目前没有适合您岗位的微课。可以回复「教我」加主题，例如「教我登录」。',
    en: 'There are no lessons for your role yet. Reply "teach me" and a topic, e.g. "teach me signing in".',
  },
  notFound: {
    'zh-CN':
      '没有找到「{query}」相关的微课。可以学的有：{titles}\n回复「教我」加其中一个，例如「教我{example}」。',
    en: 'No lesson found for "{query}". Available: {titles}\nReply "teach me" and one of them, e.g. "teach me {example}".',
  },
  nudge: {
    'zh-CN': '⏰ 微课提醒：{titles}还没学完，花 2 分钟看看？',
    en: '⏰ Lesson reminder: {titles} still open. Two minutes?',
  },
  nudgeButton: { 'zh-CN': '继续学「{title}」', en: 'Open "{title}"' },
  help: {
    'zh-CN': '「课程」查看微课进度并学下一课；「教我盘点」按主题学',
    en: '"lesson" shows your progress and sends the next lesson; "teach me <topic>" finds one',
  },
  managerSummaryHeader: {
    'zh-CN': '📋 本周微课提醒过仍未完成的同事（共 {count} 人）：',
    en: '📋 Colleagues reminded about lessons they have not finished ({count}):',
  },
  managerSummaryLine: {
    'zh-CN': '{name}：{count} 节未完成（{titles}）',
    en: '{name}: {count} open ({titles})',
  },
});
