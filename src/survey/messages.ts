import { defineMessages } from '../core/i18n.ts';

/** Every user-facing survey text, zh-CN first (UX.md: plain, polite, one thing per message). */
export const M = defineMessages({
  pausedStatus: {
    'zh-CN': '您有一份未完成的「{title}」调研，已回答 {answered} 题。回复「调研」从上次的地方继续。',
    en: 'You have an unfinished "{title}" survey with {answered} answers so far. Reply "survey" to continue where you left off.',
  },
  help: { 'zh-CN': '「调研」参加信息化需求诊断调研', en: '"survey" — take the needs-diagnosis survey' },
  welcome: {
    'zh-CN':
      '您好！这是「{title}」调研，共约 {total} 题，约 {minutes} 分钟。随时回复「取消」可暂停，下次回复「调研」从这里继续。',
    en: 'Hello! This is the "{title}" survey: about {total} questions, about {minutes} minutes. Reply "cancel" any time to pause; reply "survey" later to continue from there.',
  },
  resume: {
    'zh-CN': '欢迎回来，继续「{title}」，从第 {position} 题接着答。',
    en: 'Welcome back. Continuing "{title}" from question {position}.',
  },
  hintSingle: { 'zh-CN': '回复数字或选项名称', en: 'Reply with a number or the option name' },
  hintMulti: {
    'zh-CN': '可多选：回复数字，多个用逗号分开，例如：1,3',
    en: 'Choose one or more: reply with numbers separated by commas, e.g. 1,3',
  },
  hintScale: {
    'zh-CN': '回复 {min}–{max} 的数字{ends}',
    en: 'Reply with a number from {min} to {max}{ends}',
  },
  scaleEnds: {
    'zh-CN': '（{min} = {minLabel}，{max} = {maxLabel}）',
    en: ' ({min} = {minLabel}, {max} = {maxLabel})',
  },
  hintNumber: { 'zh-CN': '回复数字{range}', en: 'Reply with a number{range}' },
  rangeBoth: { 'zh-CN': '（{min}–{max}{unit}）', en: ' ({min}–{max}{unit})' },
  rangeMin: { 'zh-CN': '（至少 {min}{unit}）', en: ' (at least {min}{unit})' },
  rangeMax: { 'zh-CN': '（最多 {max}{unit}）', en: ' (at most {max}{unit})' },
  hintText: { 'zh-CN': '直接回复文字{limit}', en: 'Reply in your own words{limit}' },
  textLimit: { 'zh-CN': '（{max} 字以内）', en: ' (up to {max} characters)' },
  hintDate: { 'zh-CN': '回复日期，例如：{example} 或 {short}', en: 'Reply with a date, e.g. {example}' },
  hintYesNo: { 'zh-CN': '回复「是」或「否」', en: 'Reply "yes" or "no"' },
  optional: { 'zh-CN': '（选填）', en: ' (optional)' },
  currentAnswer: { 'zh-CN': '当前答案：{answer}', en: 'Current answer: {answer}' },
  footerBack: { 'zh-CN': '「返回」上一题', en: '"back" previous question' },
  footerSkip: { 'zh-CN': '「跳过」不答这题', en: '"skip" this question' },
  footerCancel: { 'zh-CN': '「取消」暂停', en: '"cancel" to pause' },
  footer: { 'zh-CN': '可回复：{items}', en: 'You can reply: {items}' },
  yes: { 'zh-CN': '是', en: 'Yes' },
  no: { 'zh-CN': '否', en: 'No' },

  empty: { 'zh-CN': '没收到答案，请再回复一次。', en: 'I did not get an answer; please reply again.' },
  noSuchOption: {
    'zh-CN': '没有这个选项。请回复 1–{count} 的数字或选项名称，例如：1',
    en: 'That is not one of the options. Reply with a number from 1 to {count} or the option name, e.g. 1',
  },
  noSuchOptionMulti: {
    'zh-CN': '没有这个选项。请回复 1–{count} 的数字，多个用逗号分开，例如：1,3',
    en: 'That is not one of the options. Reply with numbers from 1 to {count}, separated by commas, e.g. 1,3',
  },
  ambiguous: {
    'zh-CN': '您指的是哪一个：{candidates}？请回复完整名称或数字，例如：1',
    en: 'Which one do you mean: {candidates}? Reply with the full name or its number, e.g. 1',
  },
  exclusive: {
    'zh-CN': '「{label}」不能和其他选项一起选。请重新回复，例如：1,3',
    en: '"{label}" cannot be combined with other options. Please reply again, e.g. 1,3',
  },
  notANumber: {
    'zh-CN': '没看懂这个数字。请直接回复数字，例如：{example}',
    en: 'I could not read that number. Reply with digits only, e.g. {example}',
  },
  notInteger: {
    'zh-CN': '请回复整数，例如：{example}',
    en: 'Please reply with a whole number, e.g. {example}',
  },
  outOfRange: {
    'zh-CN': '请回复{range}的数字，例如：{example}',
    en: 'Please reply with a number {range}, e.g. {example}',
  },
  rangeWordsBoth: { 'zh-CN': ' {min}–{max} 之间', en: 'from {min} to {max}' },
  rangeWordsMin: { 'zh-CN': '不小于 {min} ', en: 'of at least {min}' },
  rangeWordsMax: { 'zh-CN': '不大于 {max} ', en: 'of at most {max}' },
  badDate: {
    'zh-CN': '没看懂这个日期。请按 {example} 或 3月5日 的格式回复',
    en: 'I could not read that date. Please reply like {example}',
  },
  notYesNo: { 'zh-CN': '请回复「是」或「否」，例如：是', en: 'Please reply "yes" or "no", e.g. yes' },
  tooLong: {
    'zh-CN': '回答有点长（最多 {max} 字），请精简后再发。',
    en: 'That is a bit long (at most {max} characters); please shorten it.',
  },
  skipRequired: {
    'zh-CN': '这道题需要回答，不能跳过。',
    en: 'This question needs an answer; it cannot be skipped.',
  },
  firstQuestion: { 'zh-CN': '这已经是第一题了。', en: 'This is already the first question.' },
  strikes: {
    'zh-CN':
      '看来这道题不太好回答，调研先暂停，您已答的内容都保存好了。需要帮助请回复「转人工」；准备好后回复「调研」从这里继续。',
    en: 'This question seems hard to answer, so the survey is paused and your answers are saved. Reply "human" for help, or "survey" to continue from here when you are ready.',
  },
  cancelled: {
    'zh-CN': '好的，调研已暂停，已答的 {answered} 题都保存好了。回复「调研」可从第 {position} 题继续。',
    en: 'OK, the survey is paused; your answers so far ({answered}) are saved. Reply "survey" to continue from question {position}.',
  },
  status: {
    'zh-CN': '「{title}」进度：({position}/{total})，已答 {answered} 题。',
    en: '"{title}" progress: ({position}/{total}), {answered} answered.',
  },
  stale: {
    'zh-CN': '这道题已经答过了。当前的问题是：',
    en: 'That question is already answered. The current question is:',
  },
  staleNoSurvey: {
    'zh-CN': '这份调研已经结束或暂停了。回复「调研」可以继续或重新开始。',
    en: 'That survey has ended or is paused. Reply "survey" to continue or start again.',
  },
  list: {
    'zh-CN': '目前有这些调研，回复数字或点击选择：\n{lines}',
    en: 'These surveys are open; reply with a number or tap one:\n{lines}',
  },
  unknownSurvey: {
    'zh-CN': '没有找到调研「{id}」。现有：{ids}',
    en: 'There is no survey "{id}". Available: {ids}',
  },
  noSurveys: { 'zh-CN': '目前没有可参加的调研。', en: 'There is no survey to take right now.' },

  doneDiagnosis: { 'zh-CN': '诊断完成，谢谢您！', en: 'Diagnosis complete, thank you!' },
  doneNoDiagnosis: {
    'zh-CN': '调研完成，谢谢您！您的回答已保存。',
    en: 'Survey complete, thank you! Your answers are saved.',
  },
  painPoints: { 'zh-CN': '主要痛点：{list}', en: 'Main pain points: {list}' },
  noPainPoints: { 'zh-CN': '暂未发现明显痛点', en: 'no clear pain point found' },
  bundle: { 'zh-CN': '推荐系统组合：{bundle}', en: 'Recommended systems: {bundle}' },
  firstModule: { 'zh-CN': '建议优先上线：{module}', en: 'Put live first: {module}' },
  roadmap: { 'zh-CN': '路线图：{layers}', en: 'Roadmap: {layers}' },
  reportButton: { 'zh-CN': '查看完整报告', en: 'Full report' },
  shareButton: { 'zh-CN': '发给项目负责人', en: 'Send to project lead' },
  reportTitle: { 'zh-CN': '「{title}」诊断报告（{date}）', en: '"{title}" diagnosis report ({date})' },
  reportPain: { 'zh-CN': '一、主要痛点', en: '1. Pain points' },
  reportBundle: { 'zh-CN': '二、推荐系统组合', en: '2. Recommended systems' },
  reportFirst: { 'zh-CN': '三、建议优先上线', en: '3. Put live first' },
  reportRoadmap: { 'zh-CN': '四、分层路线图（避免一步到位）', en: '4. Layered roadmap (not all at once)' },
  reportAdvice: { 'zh-CN': '五、其他建议', en: '5. Other advice' },
  reportMissing: { 'zh-CN': '没有找到这份报告。', en: 'That report was not found.' },
  shared: { 'zh-CN': '已发给项目负责人。', en: 'Sent to the project lead.' },
  sharedPush: {
    'zh-CN': '{user} 完成了「{title}」调研，诊断如下：',
    en: '{user} completed the "{title}" survey. Diagnosis:',
  },
});
