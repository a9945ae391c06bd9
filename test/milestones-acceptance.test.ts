// The acceptance, tried as a new user would, through the real app (HTTP + jobs API):
// a roster of 20 from XLSX, a pilot plan starting next Monday, the lesson and milestone jobs run
// with `at` over dates covering 国庆 — each person gets exactly what the rules say, in
// GET /dev/outbox. Host zone deliberately not Shanghai.
process.env.TZ = 'America/Los_Angeles';

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/types.ts';
import type { App } from '../src/main.ts';
import { importRoster } from '../src/roster/import.ts';
import { startApp } from './e2e/app.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies from the API under test
type J = any;

const clock = new ManualClock(Date.parse('2025-09-24T02:00:00Z')); // Wed 10:00 in Shanghai
let app: App;
let url: string;
const auth = { authorization: 'Bearer admin-secret', 'content-type': 'application/json' };

// 20 people: [id, name, department, roles, manager]
const PEOPLE: Array<[string, string, string, string, string]> = [
  ...Array.from({ length: 6 }, (_, i): [string, string, string, string, string] => [
    `w${i + 1}`,
    `仓管${i + 1}`,
    '仓储部',
    '仓库管理员',
    'dev:boss',
  ]),
  ...Array.from({ length: 4 }, (_, i): [string, string, string, string, string] => [
    `s${i + 1}`,
    `销售${i + 1}`,
    '销售部',
    '销售',
    'dev:boss',
  ]),
  ...Array.from({ length: 3 }, (_, i): [string, string, string, string, string] => [
    `f${i + 1}`,
    `会计${i + 1}`,
    '财务部',
    '财务',
    'dev:boss',
  ]),
  ...Array.from({ length: 3 }, (_, i): [string, string, string, string, string] => [
    `c${i + 1}`,
    `客服${i + 1}`,
    '客服部',
    '客服',
    'dev:boss',
  ]),
  ['it1', '信息部小王', '信息部', '', 'dev:pm'],
  ['it2', '信息部小李', '信息部', '', 'dev:pm'],
  ['pm', '项目经理', '信息部', '管理层', 'dev:boss'],
  ['boss', '总经理', '总经办', '管理层', ''],
];

async function post(path: string, body: unknown): Promise<{ status: number; body: J }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
const outbox = async (user: string): Promise<string[]> =>
  ((await (await fetch(`${url}/dev/outbox?userId=${user}`)).json()) as J[]).map((m) => m.text.split('\n')[0]);

beforeAll(async () => {
  ({ app, url } = await startApp({}, { clock }));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('花名册');
  ws.addRow(['userId', '姓名', '部门', '角色', '上级']);
  for (const [id, name, dept, roles, manager] of PEOPLE) ws.addRow([`dev:${id}`, name, dept, roles, manager]);
  const file = join(await mkdtemp(join(tmpdir(), 'roster-')), 'roster.xlsx');
  await wb.xlsx.writeFile(file);
  const imported = await importRoster(app.store, file, { clock });
  expect(imported).toMatchObject({ imported: 20, errors: [] });
});
afterAll(() => app.stop());

describe('acceptance: roster, pilot plan, lessons and milestones across 国庆', () => {
  it('sends each person exactly the lessons and reminders the rules say', async () => {
    // "Next Monday" from Wed 2025-09-24 is 2025-09-29.
    const plan = await post('/api/milestones/plans', {
      title: '销售部试点',
      start: '2025-09-29',
      template: 'pilot',
      owner: 'dev:pm',
      sponsor: 'dev:boss',
    });
    expect(plan.status).toBe(201);
    // 5 working days from Mon 9/29: 9/30, 10/9, 10/10, the 调休 Saturday 10/11, 10/13.
    expect(plan.body.milestones[0]).toMatchObject({
      id: 'pilot-prep',
      due: '2025-10-13',
      owner: 'dev:pm',
      status: 'open',
    });

    const sent: Record<string, { lessons: number; milestones: number }> = {};
    for (
      let d = Date.parse('2025-09-29T00:00:00Z');
      d <= Date.parse('2025-10-13T00:00:00Z');
      d += 86_400_000
    ) {
      const ymd = new Date(d).toISOString().slice(0, 10);
      clock.set(`${ymd}T01:00:00Z`); // 09:00 Shanghai
      const m = await post('/api/jobs/milestones/run', { at: `${ymd}T09:00:00+08:00` });
      clock.set(`${ymd}T02:00:00Z`); // 10:00 Shanghai: every lesson track has fired
      const l = await post('/api/jobs/lessons/run', { at: `${ymd}T10:00:00+08:00` });
      expect([m.status, l.status]).toEqual([200, 200]);
      // Running the same instant again queues nothing.
      expect((await post('/api/jobs/lessons/run', { at: `${ymd}T10:00:00+08:00` })).body.sent).toBe(0);
      sent[ymd] = { lessons: l.body.sent, milestones: m.body.sent };
    }
    await app.outbox.idle();

    // Nothing on 国庆 (10/1–10/8) or the Sundays; the 调休 Sunday 9/28 is before the range, the
    // 调休 Saturday 10/11 counts.
    const quiet = [
      '2025-10-01',
      '2025-10-02',
      '2025-10-03',
      '2025-10-06',
      '2025-10-08',
      '2025-10-05',
      '2025-10-12',
    ];
    for (const d of quiet) expect(sent[d], d).toEqual({ lessons: 0, milestones: 0 });
    expect(Object.keys(sent).filter((d) => sent[d].lessons > 0)).toEqual([
      '2025-09-29',
      '2025-09-30',
      '2025-10-09',
      '2025-10-10',
      '2025-10-11',
      '2025-10-13',
    ]);

    // A warehouse keeper who never answers: one lesson per track per working day, and each
    // unanswered lesson nudged once, two working days after it came — in one nudge a day.
    expect(await outbox('w1')).toEqual([
      // Mon 9/29
      '📘 今日微课（全员必修 1/3）：登录',
      '📦 今日微课（仓库管理员 1/5）：扫码入库',
      // Tue 9/30
      '📘 今日微课（全员必修 2/3）：审批',
      '📦 今日微课（仓库管理员 2/5）：调拨',
      // Thu 10/9, after the holiday
      '📘 今日微课（全员必修 3/3）：手机端',
      '📦 今日微课（仓库管理员 3/5）：盘点',
      '⏰ 微课提醒：「登录」「扫码入库」还没学完，花 2 分钟看看？',
      // Fri 10/10
      '📦 今日微课（仓库管理员 4/5）：出库',
      '⏰ 微课提醒：「审批」「调拨」还没学完，花 2 分钟看看？',
      // Sat 10/11 (调休 working day)
      '📦 今日微课（仓库管理员 5/5）：退货',
      '⏰ 微课提醒：「手机端」「盘点」还没学完，花 2 分钟看看？',
      // Mon 10/13
      '⏰ 微课提醒：「出库」还没学完，花 2 分钟看看？',
    ]);
    // Someone with no role gets only 全员.
    expect((await outbox('it1')).filter((t) => t.includes('今日微课'))).toEqual([
      '📘 今日微课（全员必修 1/3）：登录',
      '📘 今日微课（全员必修 2/3）：审批',
      '📘 今日微课（全员必修 3/3）：手机端',
    ]);
    // The project lead: 管理层 lessons on Mondays and Thursdays, and the milestone reminders
    // for 试点准备 (due Mon 10/13): T-3 on 10/9, T-1 on the 调休 Saturday, due on 10/13.
    const pm = await outbox('pm');
    expect(pm.filter((t) => t.includes('管理层'))).toEqual([
      '📊 今日微课（管理层 1/2）：各区域销售占比', // Mon 9/29
      '📊 今日微课（管理层 2/2）：库存周转率趋势', // Thu 10/9
    ]);
    expect(pm.filter((t) => t.includes('里程碑'))).toEqual([
      '⏰ 里程碑提醒：「试点准备（账号、数据、培训）」将于 10 月 13 日（周一）到期，还有 3 个工作日。',
      '⏰ 里程碑提醒：「试点准备（账号、数据、培训）」将于 10 月 13 日（周一）到期，还有 1 个工作日。',
      '⏰ 里程碑今天到期：「试点准备（账号、数据、培训）」。',
    ]);
    expect(
      Object.entries(sent)
        .filter(([, v]) => v.milestones)
        .map(([d]) => d),
    ).toEqual(['2025-10-09', '2025-10-11', '2025-10-13']);

    // Monday's digest: each manager sees who was nudged and still has not finished — one message.
    const digest = await post('/api/jobs/digest/run', { at: '2025-10-13T09:00:00+08:00' });
    expect(digest.body).toMatchObject({ sent: 2, managers: 2 });
    await app.outbox.idle();
    const toPm = (await (await fetch(`${url}/dev/outbox?userId=pm`)).json()) as J[];
    expect(toPm.at(-1).text).toBe(
      '📋 本周微课提醒过仍未完成的同事（共 2 人）：\n信息部小李：3 节未完成（登录、审批、手机端）\n信息部小王：3 节未完成（登录、审批、手机端）',
    );
    const toBoss = (await (await fetch(`${url}/dev/outbox?userId=boss`)).json()) as J[];
    expect(toBoss.at(-1).text).toMatch(/^📋 本周微课提醒过仍未完成的同事（共 17 人）：/);
    expect(toBoss.at(-1).text).toContain('仓管1：6 节未完成（登录、审批、手机端、扫码入库、调拨、盘点）');

    // Progress for Excel: UTF-8 with BOM, everyone listed.
    const csv = await fetch(`${url}/api/lessons/progress?format=csv`, { headers: auth });
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
    expect(rows).toHaveLength(21);
    expect(rows).toContain('dev:w1,仓管1,仓储部,仓库管理员,8,8,0,0.0%,0,0,,');
  });
});
