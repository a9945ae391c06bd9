// Host zone deliberately far from Shanghai; dates must not depend on it.
process.env.TZ = 'Europe/London';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createLessonFeature } from '../src/lessons/feature.ts';
import { createLessonsJob, type LessonsJob } from '../src/lessons/job.ts';
import { type Track, TrackSchema } from '../src/lessons/schema.ts';
import { createDigestJob } from '../src/milestones/digest.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const body = (topic: string) => `场景：${topic}。\n步骤：\n1. 打开。\n2. 操作。\n3. 提交。`;
const lesson = (id: string, title: string) => ({
  id,
  title,
  body: body(title),
  quiz: { question: `${title}？`, options: ['对', '错'], answer: 1, explain: `${title}的解释。` },
});
const tracks: Track[] = [
  TrackSchema.parse({
    id: 'wh',
    role: '仓库管理员',
    emoji: '📦',
    schedule: '30 9 * * *',
    lessons: [
      lesson('l1', '扫码入库'),
      lesson('l2', '调拨'),
      lesson('l3', '盘点'),
      lesson('l4', '出库'),
      lesson('l5', '退货'),
    ],
  }),
  TrackSchema.parse({
    id: 'night',
    role: '夜班',
    schedule: '30 22 * * *',
    lessons: [lesson('n1', '夜间交接')],
  }),
];
const calendar = createWorkCalendar();
const TZ = 'Asia/Shanghai';

let h: Harness;
let clock: ManualClock;
let job: LessonsJob;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2025-09-29T00:00:00Z'));
  h = await createHarness({ features: [createLessonFeature({ tracks })], clock });
  await h.store.put('roster', 'dev:w1', {
    userId: 'dev:w1',
    name: '王仓管',
    roles: ['仓库管理员'],
    manager: 'dev:m1',
  });
  await h.store.put('roster', 'dev:m1', { userId: 'dev:m1', name: '李经理', roles: [] });
  job = createLessonsJob({ store: h.store, outbox: h.outbox, tracks, calendar, tz: TZ, nudgeAfterDays: 2 });
  await job.refreshZones();
});
afterEach(() => h.close());

/** Runs every slot of the job in (from, to] like the scheduler would; returns messages queued per local date. */
async function runSlots(from: string, to: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const slot of job.slots(Date.parse(from), Date.parse(to))) {
    clock.set(slot);
    const r = await job.run(slot);
    const day = new Date(slot + 8 * 3600_000).toISOString().slice(0, 10);
    out[day] = (out[day] ?? 0) + r.sent;
  }
  return out;
}

const heads = async (user: string) => (await h.pushed(user)).map((m) => m.text.split('\n')[0]);

describe('lessons job', () => {
  it('skips the 国庆 holiday, counts the 调休 Saturday, nudges each unfinished lesson once, then tells the manager', async () => {
    // Sep 29 – Oct 12, 2025 (Shanghai): Oct 1–8 off; Sat Oct 11 is a make-up working day; Sun Oct 12 off.
    const slots = job.slots(Date.parse('2025-09-28T16:00:00Z'), Date.parse('2025-10-12T16:00:00Z'));
    expect(slots.map((s) => new Date(s).toISOString())).toEqual([
      '2025-09-29T01:30:00.000Z',
      '2025-09-29T14:30:00.000Z', // the 夜班 track at 22:30
      '2025-09-30T01:30:00.000Z',
      '2025-09-30T14:30:00.000Z',
      '2025-10-09T01:30:00.000Z',
      '2025-10-09T14:30:00.000Z',
      '2025-10-10T01:30:00.000Z',
      '2025-10-10T14:30:00.000Z',
      '2025-10-11T01:30:00.000Z',
      '2025-10-11T14:30:00.000Z',
    ]);

    await runSlots('2025-09-28T16:00:00Z', '2025-09-30T02:00:00Z');
    await h.click('w1', 'lesson:quiz:wh:l2:1'); // l2 answered the day it came: never nudged
    const perDay = await runSlots('2025-09-30T02:00:00Z', '2025-10-12T16:00:00Z');
    expect(perDay).toEqual({
      '2025-09-30': 0,
      '2025-10-09': 2, // l3, and the nudge for l1 (sent 9/29: two working days later is 10/9, not 10/1)
      '2025-10-10': 1, // l4 (l2 was answered, so no nudge)
      '2025-10-11': 2, // the 调休 Saturday: l5, and the nudge for l3
    });
    expect(await heads('w1')).toEqual([
      '📦 今日微课（仓库管理员 1/5）：扫码入库',
      '📦 今日微课（仓库管理员 2/5）：调拨',
      '📦 今日微课（仓库管理员 3/5）：盘点',
      '⏰ 微课提醒：「扫码入库」还没学完，花 2 分钟看看？',
      '📦 今日微课（仓库管理员 4/5）：出库',
      '📦 今日微课（仓库管理员 5/5）：退货',
      '⏰ 微课提醒：「盘点」还没学完，花 2 分钟看看？',
    ]);
    const nudge = (await h.pushed('w1'))[3];
    expect(nudge.buttons).toEqual([{ label: '继续学「扫码入库」', value: 'lesson:open:wh:l1' }]);

    // Monday: the weekly digest tells the manager about lessons nudged and still open, once.
    const digest = createDigestJob({ store: h.store, outbox: h.outbox, calendar, tz: TZ, tracks });
    clock.set('2025-10-13T01:00:00Z');
    expect((await digest.run(clock.now())).sent).toBe(1);
    expect((await digest.run(clock.now())).sent).toBe(0);
    expect((await h.pushed('m1')).map((m) => m.text)).toEqual([
      '📋 本周微课提醒过仍未完成的同事（共 1 人）：\n王仓管：2 节未完成（扫码入库、盘点）',
    ]);

    // Later that Monday: l4 gets its one nudge; l1 and l3 are never nudged again.
    const monday = await runSlots('2025-10-13T01:00:00Z', '2025-10-14T16:00:00Z');
    expect(monday).toEqual({ '2025-10-13': 1, '2025-10-14': 1 }); // 10/13: l4; 10/14: l5
    expect((await heads('w1')).slice(7)).toEqual([
      '⏰ 微课提醒：「出库」还没学完，花 2 分钟看看？',
      '⏰ 微课提醒：「退货」还没学完，花 2 分钟看看？',
    ]);
  });

  it('queues nothing when the same firing runs twice, or before the day’s slot', async () => {
    clock.set('2025-09-29T01:00:00Z'); // 09:00, the track fires at 09:30
    expect((await job.run(clock.now())).sent).toBe(0);
    clock.set('2025-09-29T01:30:00Z');
    expect(await job.run(clock.now())).toMatchObject({ sent: 1, skipped: 0 });
    expect(await job.run(clock.now())).toMatchObject({ sent: 0, skipped: 1 });
    // A late operator run the same day resolves to the same slot: still nothing new.
    clock.set('2025-09-29T07:00:00Z');
    expect((await job.run(clock.now())).sent).toBe(0);
    expect(await heads('w1')).toEqual(['📦 今日微课（仓库管理员 1/5）：扫码入库']);
  });

  it('holds a push that falls in quiet hours until 08:00 local', async () => {
    await h.store.delete('roster', 'dev:w1');
    await h.store.put('roster', 'dev:n1', { userId: 'dev:n1', name: '夜班员', roles: ['夜班'] });
    clock.set('2026-03-02T14:30:00Z'); // 22:30 in Shanghai
    expect((await job.run(clock.now())).sent).toBe(1);
    const held = (await h.outbox.pending()).filter((i) => i.to.userId === 'n1');
    expect(held).toHaveLength(1);
    expect(new Date(held[0].notBefore!).toISOString()).toBe('2026-03-03T00:00:00.000Z'); // 08:00 Shanghai
    expect(await h.pushed('n1')).toEqual([]);
  });

  it('fires in each user’s own time zone', async () => {
    await h.store.put('roster', 'dev:la', {
      userId: 'dev:la',
      name: 'Lee',
      roles: ['仓库管理员'],
      timezone: 'America/Los_Angeles',
      locale: 'en',
    });
    await job.refreshZones();
    // Monday 2026-03-02 09:30 in Los Angeles (PST) = 17:30Z; Shanghai's 09:30 is 01:30Z.
    const slots = job.slots(Date.parse('2026-03-02T00:00:00Z'), Date.parse('2026-03-03T00:00:00Z'));
    expect(slots.map((s) => new Date(s).toISOString())).toContain('2026-03-02T17:30:00.000Z');
    // Across the US switch to daylight time (Sun 2026-03-08): still 09:30 local, on working days.
    const week = job.slots(Date.parse('2026-03-06T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z'));
    expect(
      week
        .filter((s) => new Date(s).getUTCMinutes() === 30 && new Date(s).getUTCHours() >= 16)
        .map((s) => new Date(s).toISOString()),
    ).toEqual([
      '2026-03-06T17:30:00.000Z', // Fri, PST (UTC-8)
      '2026-03-09T16:30:00.000Z', // Mon, PDT (UTC-7)
    ]);
    clock.set('2026-03-02T01:30:00Z');
    await job.run(clock.now()); // Sunday evening in LA: not LA's slot
    expect(await h.pushed('la')).toEqual([]);
    clock.set('2026-03-02T17:30:00Z');
    expect((await job.run(clock.now())).sent).toBe(1);
    expect(await heads('la')).toEqual(["📦 Today's lesson (仓库管理员 1/5): 扫码入库"]);
  });
});
