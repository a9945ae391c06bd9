import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../adapters/dev/index.ts';
import { createSurveyFeature } from '../src/survey/feature.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import type { SurveyResponse } from '../src/survey/responses.ts';
import type { Survey } from '../src/survey/schema.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let surveys: Survey[];
let h: Harness;
beforeAll(async () => {
  surveys = await loadSurveys('flows');
});
afterEach(async () => {
  await h?.close();
});

async function start(): Promise<Harness> {
  h = await createHarness({ features: [createSurveyFeature({ surveys, timezone: 'Asia/Shanghai' })] });
  return h;
}

/** Says `text` as `user` and returns the one reply. */
async function say(user: string, text: string, locale?: 'zh-CN' | 'en'): Promise<Reply> {
  const replies = await h.say(user, text, locale ? { locale } : undefined);
  expect(replies).toHaveLength(1);
  return replies[0];
}

async function click(user: string, value: string): Promise<Reply> {
  const replies = await h.click(user, value);
  expect(replies).toHaveLength(1);
  return replies[0];
}

async function responseOf(user: string): Promise<SurveyResponse> {
  const all = await h.store.list<SurveyResponse>('responses', { prefix: `needs-diagnosis/dev:${user}/` });
  return all[all.length - 1].value;
}

describe('needs-diagnosis, whole conversations', () => {
  it('a manufacturer (UX.md flow): every accepted answer form, re-prompts, the diagnosis', async () => {
    await start();
    let r = await say('zhang', '调研');
    expect(r.text).toContain(
      '您好！这是「信息化需求诊断」调研，共约 14 题，约 5 分钟。随时回复「取消」可暂停，下次回复「调研」从这里继续。',
    );
    expect(r.text).toContain(
      '(1/14) 贵公司属于哪种类型？\n1. 生产型  2. 商贸型  3. 服务业\n回复数字或选项名称',
    );
    expect(r.text).toContain('可回复：「取消」暂停'); // first question: footer, no 返回 yet
    expect(r.text).not.toContain('「返回」');
    expect(r.buttons?.map((b) => b.value)).toEqual([
      'survey:a:company_type:manufacturing',
      'survey:a:company_type:trade',
      'survey:a:company_type:services',
    ]);

    r = await say('zhang', '生产'); // unique prefix of 生产型
    expect(r.text).toBe('(2/14) 员工人数大约多少？\n回复数字（1–2000人）');

    r = await say('zhang', '三十来个');
    expect(r.text).toMatch(/^没看懂这个数字。请直接回复数字，例如：30\n\(2\/14\) 员工人数大约多少？/);
    expect(r.text).toContain('可回复：「返回」上一题  「取消」暂停');

    r = await say('zhang', '３０'); // full-width
    expect(r.text).toMatch(/^\(3\/14\) 您在哪个部门？/);
    expect(r.text).toContain('（选填）');

    r = await say('zhang', '跳过'); // optional
    expect(r.text).toMatch(/^\(4\/14\) 现在工作中用到哪些工具或系统？/);
    expect(r.text).toContain('可多选：回复数字，多个用逗号分开，例如：1,3');
    expect(r.buttons).toBeUndefined();

    r = await say('zhang', '3，2'); // full-width comma, any order
    expect(r.text).toMatch(/^\(5\/14\) 订单排产目前主要怎么做？/);

    r = await click('zhang', 'survey:a:m_scheduling:experience');
    expect(r.text).toMatch(/^\(6\/14\) 库存目前主要记在哪里？/);

    r = await say('zhang', 'Excel');
    expect(r.text).toMatch(/^\(7\/14\) 现在库存数据通常比实际滞后几天？（0 表示实时）/);

    r = await say('zhang', '三'); // Chinese numeral
    expect(r.text).toMatch(
      /^\(8\/14\) 您对目前的库存周转情况满意吗？\n回复 1–5 的数字（1 = 很不满意，5 = 很满意）/,
    );
    expect(r.buttons?.map((b) => b.label)).toEqual(['1', '2', '3', '4', '5']);

    r = await click('zhang', 'survey:a:m_turnover:2');
    expect(r.text).toMatch(/^\(9\/14\) 同一个客户在不同表格里/);
    expect(r.text).toContain('1. 是  2. 否');

    r = await say('zhang', '對'); // traditional 对
    expect(r.text).toMatch(/^\(10\/14\) 订单金额是否有人核对/);

    r = await say('zhang', '基本不核对');
    expect(r.text).toMatch(/^\(11\/14\) 今年的信息化预算大约多少？/);

    r = await say('zhang', '二'); // 5–20 万元
    expect(r.text).toMatch(/^\(12\/14\) 是否接受按年订阅的云端系统/);

    r = await say('zhang', 'y');
    expect(r.text).toMatch(/^\(13\/14\) 希望第一个系统什么时候上线？/);

    r = await say('zhang', '2026/6/1');
    expect(r.text).toMatch(/^\(14\/14\) 还有什么最想解决的问题？/);

    r = await say('zhang', '庫存總是對不上');
    expect(r.text).toContain('诊断完成，谢谢您！');
    expect(r.text).toContain('主要痛点：库存数据滞后 3 天，采购与排产脱节；');
    expect(r.text).toContain('推荐系统组合：ERP + MES（生产执行）+ SRM（供应商管理）');
    expect(r.text).toContain('建议优先上线：进销存 + 生产排程模块');
    expect(r.text).toMatch(/路线图：基础层（0–1 年）进销存、生产排程 → 整合层（2–3 年）ERP 与 CRM 打通/);
    expect(r.buttons?.[0].label).toBe('查看完整报告');

    const saved = await responseOf('zhang');
    expect(saved).toMatchObject({
      surveyId: 'needs-diagnosis',
      userId: 'dev:zhang',
      platform: 'dev',
      status: 'completed',
      startedAt: '2026-03-02T01:00:00.000Z',
      completedAt: '2026-03-02T01:00:00.000Z',
    });
    expect(saved.answers).toEqual({
      company_type: 'manufacturing',
      staff_count: 30,
      tools: ['wechat', 'excel'],
      m_scheduling: 'experience',
      inventory_tool: 'excel',
      inventory_lag_days: 3,
      m_turnover: 2,
      dup_customers: true,
      amount_check: 'none',
      budget: '50k_200k',
      cloud_ready: true,
      go_live: '2026-06-01',
      notes: '庫存總是對不上',
    });
    expect(saved.diagnosis?.firstModule.zh).toBe('进销存 + 生产排程模块');

    // The full report, typed as its number (a platform without buttons) or from the button.
    const reportButton = r.buttons![0].value;
    expect(reportButton).toBe(`survey:r:${saved.id}`);
    expect((await say('zhang', '1')).text).toMatch(/^「信息化需求诊断」诊断报告/);
    r = await click('zhang', reportButton);
    expect(r.text).toMatch(/^「信息化需求诊断」诊断报告（2026-03-02）/);
    expect(r.text).toContain('四、分层路线图（避免一步到位）');
    expect(r.text).toContain('库存滞后让采购和排产脱节');
    // Another user cannot open it.
    expect((await click('li', reportButton)).text).toBe('没有找到这份报告。');
  });

  it('a trading company: traditional characters, label and numeral forms, its own questions and bundle', async () => {
    await start();
    await say('wang', '調研'); // traditional form of 调研
    let r = await say('wang', '商貿型');
    expect(r.text).toMatch(/^\(2\/14\) 员工人数/);
    await say('wang', '一百二十');
    await say('wang', '销售');
    r = await say('wang', '微信群、Excel、财务软件');
    expect(r.text).toMatch(/^\(5\/14\) 库存目前主要记在哪里？/);
    r = await say('wang', '纸质');
    expect(r.text).toMatch(/^\(6\/14\) 现在库存数据通常比实际滞后几天/);
    r = await say('wang', '2天');
    expect(r.text).toMatch(/^\(7\/14\) 从客户下单到发货，通常需要几天？\n回复数字（0–60天）/);
    r = await say('wang', '5');
    expect(r.text).toMatch(/^\(8\/14\) 老客户的复购率大约是多少？/);
    r = await say('wang', '不清楚');
    expect(r.text).toMatch(/^\(9\/14\) 同一个客户/);
    await say('wang', '是');
    await say('wang', '2');
    await say('wang', '5 万元以下');
    await say('wang', '不是');
    await say('wang', '跳过');
    r = await say('wang', '跳过');
    expect(r.text).toContain('推荐系统组合：CRM + 电商 ERP + 会员系统');
    expect(r.text).toContain(
      '主要痛点：库存数据滞后 2 天，接单时看不到真实库存；供应链响应慢，下单到发货约 5 天；客户复购率低或没有统计',
    );
    expect(r.text).toContain('建议优先上线：进销存（库存实时共享）');
    const saved = await responseOf('wang');
    expect(saved.answers).toMatchObject({
      company_type: 'trade',
      staff_count: 120,
      tools: ['wechat', 'excel', 'finance'],
      cloud_ready: false,
    });
    expect(saved.answers).not.toHaveProperty('m_scheduling');
    expect(saved.answers).not.toHaveProperty('go_live');
  });

  it('a services company in English: en texts, en labels, 13 questions', async () => {
    await start();
    let r = await say('amy', 'survey', 'en');
    expect(r.text).toContain('Hello! This is the "IT needs diagnosis" survey');
    expect(r.text).toContain(
      '(1/14) What kind of business is your company?\n1. Manufacturing\n2. Trade / distribution\n3. Services\n',
    );
    expect(r.buttons?.map((b) => b.label)).toEqual(['Manufacturing', 'Trade / distribution', 'Services']);
    r = await say('amy', 'services', 'en');
    expect(r.text).toBe('(2/13) About how many employees do you have?\nReply with a number (1–2000 people)');
    r = await say('amy', 'lots', 'en');
    expect(r.text).toMatch(/^I could not read that number\. Reply with digits only, e\.g\. 30/);
    for (const a of ['12', 'skip', 'paper forms, excel']) await say('amy', a, 'en');
    r = await say('amy', '120', 'en');
    expect(r.text).toMatch(/^\(6\/13\) How often are projects late\?/);
    await say('amy', '4', 'en');
    r = await say('amy', 'mostly', 'en');
    expect(r.text).toMatch(/^\(8\/13\) Is the same customer written/);
    for (const a of ['no', 'spot', '3', 'yes', '2026-09-01']) await say('amy', a, 'en');
    r = await say('amy', 'skip', 'en');
    expect(r.text).toContain('Diagnosis complete, thank you!');
    expect(r.text).toContain(
      'Recommended systems: CRM + membership system + e-commerce ERP (when selling online)',
    );
    expect(r.text).toContain('Put live first: project management + performance statistics');
    expect(r.text).toContain(
      'Roadmap: Foundation (year 0–1) accounting software, project management → Integration (years 2–3)',
    );
    expect(r.buttons?.[0].label).toBe('Full report');
    expect((await responseOf('amy')).answers).toMatchObject({
      company_type: 'services',
      tools: ['paper', 'excel'],
      s_delivery_days: 120,
      s_delay: 4,
      s_performance: 'subjective',
      amount_check: 'manual',
      budget: '200k_500k',
    });
  });
});

describe('every re-prompt says what is accepted, gives an example, and does not advance', () => {
  /** Answers the needs-diagnosis survey up to (not including) `questionId`, manufacturer path. */
  const script: Record<string, string> = {
    company_type: '1',
    staff_count: '30',
    department: '1',
    tools: '3',
    m_scheduling: '1',
    inventory_tool: '2',
    inventory_lag_days: '3',
    m_turnover: '3',
    dup_customers: '是',
    amount_check: '1',
    budget: '1',
    cloud_ready: '是',
    go_live: '2026-06-01',
  };
  async function reach(user: string, questionId: string): Promise<void> {
    await say(user, '调研');
    for (const [id, answer] of Object.entries(script)) {
      if (id === questionId) return;
      await say(user, answer);
    }
  }

  it.each([
    ['company_type', '4', '没有这个选项。请回复 1–3 的数字或选项名称，例如：1', '(1/14)'],
    ['company_type', '农业', '没有这个选项。请回复 1–3 的数字或选项名称，例如：1', '(1/14)'],
    ['staff_count', '0', '请回复 1–2000 之间的数字，例如：30', '(2/14)'],
    ['staff_count', '2.5', '请回复整数，例如：30', '(2/14)'],
    ['tools', '1,12', '没有这个选项。请回复 1–9 的数字，多个用逗号分开，例如：1,3', '(4/14)'],
    ['tools', '1,9', '「以上都没有」不能和其他选项一起选。请重新回复，例如：1,3', '(4/14)'],
    ['inventory_lag_days', '很久', '没看懂这个数字。请直接回复数字，例如：30', '(7/14)'],
    ['m_turnover', '6', '请回复 1–5 之间的数字，例如：3', '(8/14)'],
    ['dup_customers', '也许', '请回复「是」或「否」，例如：是', '(9/14)'],
    ['go_live', '下个月', '没看懂这个日期。请按 2026-03-05 或 3月5日 的格式回复', '(13/14)'],
  ])('%s ← %s', async (questionId, wrong, reason, position) => {
    await start();
    await reach('u', questionId);
    const r = await say('u', wrong);
    expect(r.text.split('\n')[0]).toBe(reason);
    expect(r.text).toContain(`${position} `);
    expect(r.text).toMatch(/可回复：.*「取消」暂停/);
    const saved = await responseOf('u');
    expect(saved.answers).not.toHaveProperty(questionId);
    expect(saved.status).toBe('in_progress');
  });

  it('text longer than maxLength', async () => {
    await start();
    await reach('u', 'notes');
    const r = await say('u', '长'.repeat(201));
    expect(r.text.split('\n')[0]).toBe('回答有点长（最多 200 字），请精简后再发。');
    expect(r.text).toContain('(14/14) 还有什么最想解决的问题？');
  });

  it('a required question cannot be skipped', async () => {
    await start();
    await reach('u', 'staff_count');
    const r = await say('u', '跳过');
    expect(r.text).toMatch(/^这道题需要回答，不能跳过。\n\(2\/14\) 员工人数/);
    expect(r.text).toContain('可回复：「返回」上一题  「取消」暂停');
  });
});
