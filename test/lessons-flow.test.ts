// Host zone deliberately not Shanghai: every date must come from BOT_TIMEZONE / roster zones.
process.env.TZ = 'America/Los_Angeles';

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createLessonsApi } from '../src/lessons/api.ts';
import { createLessonFeature } from '../src/lessons/feature.ts';
import { createLessonsJob } from '../src/lessons/job.ts';
import { loadLessons } from '../src/lessons/load.ts';
import type { Track } from '../src/lessons/schema.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies from the API under test
type J = any;

const tracks: Track[] = await loadLessons(join(import.meta.dirname, '..', 'flows'));
const calendar = createWorkCalendar();
const MON_0930 = '2026-03-02T01:30:00Z'; // Monday 09:30 in Shanghai; Sunday 17:30 on the host

let h: Harness;
let clock: ManualClock;

async function seedRoster() {
  await h.store.put('roster', 'dev:w1', {
    userId: 'dev:w1',
    name: '王仓管',
    department: '仓储部',
    roles: ['仓库管理员'],
    manager: 'dev:m1',
  });
  await h.store.put('roster', 'dev:m1', {
    userId: 'dev:m1',
    name: '李经理',
    department: '仓储部',
    roles: ['管理层'],
  });
}

beforeEach(async () => {
  clock = new ManualClock(Date.parse(MON_0930));
  h = await createHarness({ features: [createLessonFeature({ tracks })], clock });
  await seedRoster();
});
afterEach(() => h.close());

describe('lesson push → quiz → progress report', () => {
  it('pushes each role its first lesson at its slot, takes quiz answers by button and number, and reports progress', async () => {
    const job = createLessonsJob({ store: h.store, outbox: h.outbox, tracks, calendar, tz: 'Asia/Shanghai' });
    const run = await job.run(clock.now());
    // w1: 全员 (09:00) + 仓库管理员 (09:30); m1: 全员 + 管理层 (Mondays and Thursdays 09:00).
    expect(run.sent).toBe(4);

    const w1 = await h.pushed('w1');
    expect(w1.map((m) => m.text.split('\n')[0])).toEqual([
      '📘 今日微课（全员必修 1/3）：登录',
      '📦 今日微课（仓库管理员 1/5）：扫码入库',
    ]);
    expect(w1[1].text).toContain('场景：供应商送来 20 箱螺丝');
    expect(w1[1].text).toContain('小测验：扫码后系统库存没变，先检查什么？');
    expect(w1[1].buttons?.map((b) => b.value)).toEqual([
      'lesson:quiz:warehouse-basics:scan-in:1',
      'lesson:quiz:warehouse-basics:scan-in:2',
      'lesson:quiz:warehouse-basics:scan-in:3',
    ]);
    expect((await h.pushed('m1')).map((m) => m.text.split('\n')[0])).toEqual([
      '📘 今日微课（全员必修 1/3）：登录',
      '📊 今日微课（管理层 1/2）：各区域销售占比',
    ]);

    // Wrong by button: one retry offered with the buttons again, no answer revealed.
    clock.set('2026-03-02T02:00:00Z');
    const wrong = await h.click('w1', 'lesson:quiz:warehouse-basics:scan-in:1');
    expect(wrong[0].text).toContain('这次没答对');
    expect(wrong[0].text).not.toContain('只有提交后的入库单');
    expect(wrong[0].buttons).toHaveLength(3);
    // Right by typing the number (the pushed quiz is open).
    const right = await h.say('w1', '2');
    expect(right[0].text).toMatch(/^✅ 回答正确。\n只有提交后的入库单才会更新库存/);
    expect(right[0].buttons).toEqual([{ label: '下一课', value: 'lesson:next' }]);
    // Already settled: not scored again.
    expect((await h.click('w1', 'lesson:quiz:warehouse-basics:scan-in:3'))[0].text).toContain(
      '已经答过了（答对了）',
    );

    // The 全员 quiz, wrong twice: the second settles it with the right answer and the explanation.
    await h.click('w1', 'lesson:quiz:everyone-basics:login:1');
    const final = await h.click('w1', 'lesson:quiz:everyone-basics:login:3');
    expect(final[0].text).toContain('这次也没答对。正确答案是：2. 回复「转人工」或联系 IT 修改');
    expect(final[0].text).toContain('最小权限原则');

    // 课程: progress, then the next lesson now.
    const course = await h.say('w1', '课程');
    expect(course[0].text).toBe(
      '您的微课进度：\n📘 全员必修：已学 1/3，测验答对 0/1\n📦 仓库管理员：已学 1/5，测验答对 1/1',
    );
    expect(course[1].text.split('\n')[0]).toBe('📘 微课（全员必修 2/3）：审批');

    // On demand by topic, answered by typing the number inside the small quiz flow.
    const count = await h.say('w1', '教我盘点');
    expect(count[0].text.split('\n')[0]).toBe('📦 微课（仓库管理员 3/5）：盘点');
    expect((await h.say('w1', '1'))[0].text).toMatch(/^✅ 回答正确/);
    // A keyword works too, and an unknown topic lists what there is.
    expect((await h.say('w1', '教我 退货入库'))[0].text.split('\n')[0]).toBe(
      '📦 微课（仓库管理员 5/5）：退货',
    );
    expect((await h.say('w1', '教我开飞机'))[0].text).toContain(
      '没有找到「开飞机」相关的微课。可以学的有：登录、审批、手机端、扫码入库',
    );

    const app = express().use('/api', createLessonsApi({ store: h.store, tracks, clock }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/lessons/progress`;
    try {
      const report = (await (await fetch(base)).json()) as J;
      const row = report.people.find((p: { userId: string }) => p.userId === 'dev:w1');
      expect(row).toMatchObject({
        name: '王仓管',
        department: '仓储部',
        assigned: 8,
        sent: 5, // 登录, 扫码入库, 审批, 盘点, 退货
        completed: 3, // 登录 and 扫码入库 and 盘点 answered; 审批 and 退货 not yet
        quizAnswered: 3,
        quizCorrect: 2,
        quizFirstTry: 1,
        quizScore: 0.667,
        completion: 0.375,
      });
      const role = report.byRole.find((r: { group: string }) => r.group === '仓库管理员');
      expect(role).toMatchObject({ people: 1, assigned: 5, sent: 3, completed: 2, quizScore: 1 });
      expect(report.byDepartment).toEqual([
        expect.objectContaining({ group: '仓储部', people: 2, assigned: 13 }),
      ]);

      const csv = await fetch(`${base}?format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      const bytes = new Uint8Array(await csv.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
      expect(lines[0]).toBe(
        '用户,姓名,部门,角色,应学,已发送,已完成,完成率,测验已答,测验答对,正确率,一次答对率',
      );
      expect(lines).toContain('dev:w1,王仓管,仓储部,仓库管理员,8,5,3,37.5%,3,2,66.7%,33.3%');
      const byRole = await (await fetch(`${base}?format=csv&by=role`)).text();
      expect(byRole).toContain('仓库管理员,1,5,3,2,40.0%,2,2,100.0%,50.0%');
      expect((await fetch(`${base}?format=xml`)).status).toBe(400);
    } finally {
      server.close();
    }
  });

  it('takes a typed number as the answer to a quiz pushed after the user’s last reply, not as an old button', async () => {
    const job = createLessonsJob({ store: h.store, outbox: h.outbox, tracks, calendar, tz: 'Asia/Shanghai' });
    await job.run(clock.now());
    clock.set('2026-03-02T02:00:00Z');
    await h.say('w1', '2'); // answers 扫码入库; the reply offers [下一课]
    clock.set('2026-03-03T01:30:00Z');
    await job.run(clock.now()); // 调拨 (answer 3) is pushed
    clock.set('2026-03-03T02:00:00Z');
    expect((await h.say('w1', '1'))[0].text).toContain('这次没答对'); // an answer to 调拨, not 下一课
    expect((await h.say('w1', '3'))[0].text).toMatch(/^✅ 回答正确。\n调拨分两步/);
  });

  it('pushes the next unsent lesson on the next working day, skipping what the user asked for already', async () => {
    const job = createLessonsJob({ store: h.store, outbox: h.outbox, tracks, calendar, tz: 'Asia/Shanghai' });
    await job.run(clock.now());
    await h.say('w1', '教我调拨'); // lesson 2 on demand
    clock.set('2026-03-03T01:30:00Z');
    expect((await job.run(clock.now())).sent).toBe(3); // w1: 审批 + 盘点; m1: 审批 (管理层 is Mon/Thu)
    const heads = (await h.pushed('w1')).map((m) => m.text.split('\n')[0]);
    expect(heads.slice(2)).toEqual([
      '📘 今日微课（全员必修 2/3）：审批',
      '📦 今日微课（仓库管理员 3/5）：盘点',
    ]);
  });
});
