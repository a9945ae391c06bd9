// Host zone deliberately not Shanghai: "today" must come from BOT_TIMEZONE.
process.env.TZ = 'America/Los_Angeles';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Job } from '../src/core/jobs.ts';
import { ManualClock } from '../src/core/types.ts';
import { createMilestonesApi } from '../src/milestones/api.ts';
import { createDigestJob } from '../src/milestones/digest.ts';
import { createMilestoneFeature } from '../src/milestones/feature.ts';
import { createMilestonesJob } from '../src/milestones/job.ts';
import { loadMilestoneTemplates } from '../src/milestones/schema.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies from the API under test
type J = any;

const TZ = 'Asia/Shanghai';
const calendar = createWorkCalendar();
const templates = await loadMilestoneTemplates(join(import.meta.dirname, '..', 'flows'));

let h: Harness;
let clock: ManualClock;
let job: Job;
let server: Server;
let api: string;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
  h = await createHarness({ features: [createMilestoneFeature({ calendar, tz: TZ })], clock });
  for (const [key, name] of [
    ['dev:o1', '欧阳'],
    ['dev:s1', '孙总'],
    ['dev:o2', '吴工'],
  ])
    await h.store.put('roster', key, { userId: key, name, roles: [] });
  job = createMilestonesJob({ store: h.store, outbox: h.outbox, calendar, tz: TZ });
  const app = express()
    .use(express.json())
    .use('/api', createMilestonesApi({ store: h.store, templates, calendar, tz: TZ, clock }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterEach(async () => {
  server.close();
  await h.close();
});

async function createPlan(body: unknown) {
  const res = await fetch(`${api}/milestones/plans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as J };
}
async function statuses(): Promise<Record<string, string>> {
  const plans = (await (await fetch(`${api}/milestones`)).json()) as J;
  return Object.fromEntries(
    plans.flatMap((p: { milestones: { id: string; status: string }[] }) =>
      p.milestones.map((m) => [m.id, m.status]),
    ),
  );
}

/** Runs each daily slot in [fromYmd, toYmd] (Shanghai dates) like the scheduler; returns sent per day. */
async function runDays(fromYmd: string, toYmd: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const from = Date.parse(`${fromYmd}T00:00:00+08:00`) - 1;
  const to = Date.parse(`${toYmd}T23:59:59+08:00`);
  for (const slot of job.slots(from, to)) {
    clock.set(slot);
    const first = await job.run(slot);
    const again = await job.run(slot);
    expect(again.sent, 'rerun of the same slot').toBe(0);
    const day = new Date(slot + 8 * 3600_000).toISOString().slice(0, 10);
    if (first.sent) out[day] = first.sent;
  }
  return out;
}

const texts = async (user: string) => (await h.pushed(user)).map((m) => m.text.split('\n')[0]);

describe('milestone reminders', () => {
  it('T-3, T-1, due, three overdue days, then one escalation to the sponsor; statuses follow', async () => {
    const { status, body } = await createPlan({
      title: '试点计划',
      start: '2026-03-02',
      milestones: [
        { id: 'pilot-live', title: '试点上线', owner: 'dev:o1', due: '2026-03-12', sponsor: 'dev:s1' },
      ],
    });
    expect(status).toBe(201);
    const planId = body.id;

    expect(await runDays('2026-03-02', '2026-03-24')).toEqual({
      '2026-03-09': 1, // T-3 (Mon; 10, 11, 12 to go)
      '2026-03-11': 1, // T-1
      '2026-03-12': 1, // due
      '2026-03-13': 1, // overdue 1
      '2026-03-16': 1, // overdue 2 (the weekend is not counted)
      '2026-03-17': 1, // overdue 3
      '2026-03-18': 1, // escalation, once
    });
    expect(await texts('o1')).toEqual([
      '⏰ 里程碑提醒：「试点上线」将于 3 月 12 日（周四）到期，还有 3 个工作日。',
      '⏰ 里程碑提醒：「试点上线」将于 3 月 12 日（周四）到期，还有 1 个工作日。',
      '⏰ 里程碑今天到期：「试点上线」。',
      '⚠️ 里程碑已逾期：「试点上线」原定 3 月 12 日（周四）到期，已逾期 1 个工作日。',
      '⚠️ 里程碑已逾期：「试点上线」原定 3 月 12 日（周四）到期，已逾期 2 个工作日。',
      '⚠️ 里程碑已逾期：「试点上线」原定 3 月 12 日（周四）到期，已逾期 3 个工作日。',
    ]);
    const first = (await h.pushed('o1'))[0];
    expect(first.text).toContain('计划：试点计划　负责人：欧阳');
    expect(first.buttons).toEqual([
      { label: '已完成', value: `milestone:done:${planId}:pilot-live` },
      { label: '申请延期', value: `milestone:delay:${planId}:pilot-live` },
      { label: '查看计划', value: `milestone:plan:${planId}` },
    ]);
    expect(await texts('s1')).toEqual([
      '⚠️ 里程碑逾期升级：「试点上线」（计划「试点计划」）原定 3 月 12 日（周四）到期，已逾期 4 个工作日，负责人 欧阳 已收到 3 次提醒。',
    ]);
    expect(await statuses()).toEqual({ 'pilot-live': 'escalated' });
  });

  it('escalates to PROJECT_GROUP when the milestone has no sponsor', async () => {
    job = createMilestonesJob({ store: h.store, outbox: h.outbox, calendar, tz: TZ, projectGroup: 'dev:pm' });
    await createPlan({
      title: '试点计划',
      start: '2026-03-02',
      milestones: [{ id: 'm', title: '数据迁移', owner: 'dev:o1', due: '2026-03-03' }],
    });
    expect(await runDays('2026-03-09', '2026-03-10')).toEqual({ '2026-03-09': 1 }); // 4th overdue working day
    expect(await texts('pm')).toEqual([
      '⚠️ 里程碑逾期升级：「数据迁移」（计划「试点计划」）原定 3 月 3 日（周二）到期，已逾期 4 个工作日，负责人 欧阳 已收到 3 次提醒。',
    ]);
  });

  it('counts working days across 国庆: T-3 on the 调休 Sunday, nothing during the holiday', async () => {
    clock.set('2025-09-20T01:00:00Z');
    await createPlan({
      title: '上线',
      start: '2025-09-01',
      milestones: [{ id: 'uat', title: 'UAT', owner: 'dev:o1', due: '2025-10-09' }],
    });
    expect(await runDays('2025-09-22', '2025-10-10')).toEqual({
      '2025-09-28': 1, // Sunday, a make-up working day: 29, 30, Oct 9 to go
      '2025-09-30': 1, // T-1: the next working day is Oct 9
      '2025-10-09': 1, // due
      '2025-10-10': 1, // overdue 1
    });
  });

  it('已完成 stops the reminders; 申请延期 takes a new date, records the slip and tells the sponsor', async () => {
    const { body } = await createPlan({
      title: '试点计划',
      start: '2026-03-02',
      milestones: [
        { id: 'prep', title: '试点准备', owner: 'dev:o1', due: '2026-03-05', sponsor: 'dev:s1' },
        { id: 'live', title: '试点上线', owner: 'dev:o2', due: '2026-03-05', sponsor: 'dev:s1' },
      ],
    });
    const id = body.id;
    clock.set('2026-03-04T03:00:00Z');
    expect((await h.click('o2', `milestone:done:${id}:prep`))[0].text).toBe(
      '只有「试点准备」的负责人或发起人可以修改它。负责人：欧阳',
    );
    expect((await h.click('o1', `milestone:done:${id}:prep`))[0].text).toBe(
      '好的，已记录「试点准备」完成，谢谢您。',
    );
    expect((await h.click('o1', `milestone:done:${id}:prep`))[0].text).toBe('「试点准备」已经标记为完成了。');

    expect((await h.click('o2', `milestone:delay:${id}:live`))[0].text).toMatch(
      /^「试点上线」现在 3 月 5 日（周四）到期。请回复新的到期日，例如 2026-03-11 或 3月11日。/,
    );
    expect((await h.say('o2', '下下周吧'))[0].text).toMatch(/^没看懂这个日期。请回复例如/);
    expect((await h.say('o2', '3月5日'))[0].text).toBe(
      '新的到期日需要晚于 3 月 5 日（周四）。请回复一个更晚的日期。',
    );
    expect((await h.say('o2', '3月10日'))[0].text).toBe(
      '已改期：「试点上线」新的到期日为 3 月 10 日（周二）。',
    );
    expect(await texts('s1')).toEqual([
      '📅 里程碑延期：「试点上线」（计划「试点计划」）由 吴工 从 3 月 5 日（周四）改到 3 月 10 日（周二）。',
    ]);

    const plan = (await (await fetch(`${api}/milestones/plans/${id}`)).json()) as J;
    expect(
      plan.milestones.map((m: { id: string; status: string; due: string }) => [m.id, m.status, m.due]),
    ).toEqual([
      ['prep', 'done', '2026-03-05'],
      ['live', 'open', '2026-03-10'],
    ]);
    expect(plan.milestones[1].slips).toEqual([
      { from: '2026-03-05', to: '2026-03-10', at: clock.now(), by: 'dev:o2' },
    ]);

    // Reminders follow the new date; the finished milestone gets none.
    expect(await runDays('2026-03-05', '2026-03-10')).toEqual({
      '2026-03-05': 1,
      '2026-03-09': 1,
      '2026-03-10': 1,
    });
    expect(await texts('o1')).toEqual([]);
    expect((await h.click('o1', `milestone:plan:${id}`))[0].text).toBe(
      '📋 试点计划（3 月 2 日开始）\n✅ 试点准备　3 月 5 日（周四）　欧阳\n⏳ 试点上线　3 月 10 日（周二）　吴工',
    );
  });

  it('sends the weekly digest to the project group: done, due this week, overdue with owners', async () => {
    await createPlan({
      title: '试点计划',
      start: '2026-03-02',
      milestones: [
        { id: 'a', title: '需求诊断', owner: 'dev:o1', due: '2026-03-05' },
        { id: 'b', title: '方案设计', owner: 'dev:o2', due: '2026-03-06' },
        { id: 'c', title: '试点上线', owner: 'dev:o1', due: '2026-03-12' },
        { id: 'd', title: '全量推广', owner: 'dev:o2', due: '2026-04-30' },
      ],
    });
    const id = ((await (await fetch(`${api}/milestones`)).json()) as J)[0].id;
    clock.set('2026-03-05T03:00:00Z');
    await h.click('o1', `milestone:done:${id}:a`);
    const digest = createDigestJob({
      store: h.store,
      outbox: h.outbox,
      calendar,
      tz: TZ,
      tracks: [],
      projectGroup: 'dev:pm',
    });
    const monday = digest.slots(Date.parse('2026-03-08T00:00:00Z'), Date.parse('2026-03-15T00:00:00Z'));
    expect(monday.map((s) => new Date(s).toISOString())).toEqual(['2026-03-09T01:00:00.000Z']);
    clock.set(monday[0]);
    expect((await digest.run(monday[0])).sent).toBe(1);
    expect((await digest.run(monday[0])).sent).toBe(0);
    expect((await h.pushed('pm')).map((m) => m.text)).toEqual([
      [
        '📋 项目周报（3 月 9 日 – 3 月 15 日）',
        '',
        '计划「试点计划」',
        '✅ 上周完成：需求诊断（欧阳，3 月 5 日）',
        '📅 本周到期：试点上线（欧阳，3 月 12 日）',
        '⚠️ 已逾期：方案设计（吴工，3 月 6 日，逾期 1 个工作日）',
      ].join('\n'),
    ]);
  });
});
