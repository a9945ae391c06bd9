process.env.TZ = 'Europe/London';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Job } from '../src/core/jobs.ts';
import { ManualClock } from '../src/core/types.ts';
import { createSurveyRemindersApi } from '../src/survey-reminders/api.ts';
import { createSurveyRemindersJob } from '../src/survey-reminders/job.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies from the API under test
type J = any;

const TZ = 'Asia/Shanghai';
const calendar = createWorkCalendar();
const surveys = [{ id: 'needs-diagnosis', title: '信息化需求诊断', title_en: 'IT needs diagnosis' }];

let h: Harness;
let clock: ManualClock;
let job: Job;
let server: Server;
let base: string;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2025-09-25T02:00:00Z'));
  h = await createHarness({ features: [], clock });
  const people: Array<[string, string, string[], string, string?]> = [
    ['dev:a', '安', ['仓库管理员'], '仓储部'],
    ['dev:b', '白', ['仓库管理员'], '仓储部', 'en'],
    ['dev:c', '陈', ['财务'], '财务部'],
    ['dev:d', '丁', ['销售'], '仓储部'],
  ];
  for (const [key, name, roles, department, locale] of people)
    await h.store.put('roster', key, { userId: key, name, roles, department, ...(locale ? { locale } : {}) });
  const response = (user: string, status: string, startedAt: number) =>
    h.store.put('responses', `needs-diagnosis/${user}/${String(startedAt).padStart(15, '0')}`, {
      surveyId: 'needs-diagnosis',
      userId: user,
      status,
      startedAt: new Date(startedAt).toISOString(),
    });
  await response('dev:a', 'cancelled', 1); // stopped once, then finished a second time
  await response('dev:a', 'completed', 2);
  await response('dev:b', 'in_progress', 3); // stopped half-way
  job = createSurveyRemindersJob({ store: h.store, outbox: h.outbox, calendar, tz: TZ, surveys });
  const app = express()
    .use(express.json())
    .use('/api', createSurveyRemindersApi({ store: h.store, surveys, clock }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/surveys/assignments`;
});
afterEach(async () => {
  server.close();
  await h.close();
});

const assign = async (body: unknown) => {
  const res = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as J };
};

describe('survey reminders', () => {
  it('reminds non-respondents and half-way respondents once, a working day before the deadline', async () => {
    // Deadline Thu Oct 9, right after 国庆: the working day before it is Tue Sep 30.
    const byRole = await assign({ surveyId: 'needs-diagnosis', role: '仓库管理员', deadline: '2025-10-09' });
    expect(byRole.status).toBe(201);
    expect(byRole.body).toMatchObject({
      surveyId: 'needs-diagnosis',
      role: '仓库管理员',
      deadline: '2025-10-09',
      assignees: 2,
    });
    // Overlapping assignment (the whole department): still one reminder each.
    expect(
      (await assign({ surveyId: 'needs-diagnosis', department: '仓储部', deadline: '2025-10-09' })).body
        .assignees,
    ).toBe(3);

    const sentOn: Record<string, number> = {};
    for (const slot of job.slots(Date.parse('2025-09-25T00:00:00Z'), Date.parse('2025-10-10T00:00:00Z'))) {
      clock.set(slot);
      const r = await job.run(slot);
      expect((await job.run(slot)).sent).toBe(0); // rerun
      if (r.sent) sentOn[new Date(slot).toISOString()] = r.sent;
    }
    expect(sentOn).toEqual({ '2025-09-30T02:00:00.000Z': 2 }); // 10:00 in Shanghai
    expect(await h.pushed('a')).toEqual([]); // completed
    expect(await h.pushed('c')).toEqual([]); // not assigned
    expect((await h.pushed('b')).map((m) => m.text)).toEqual([
      '📝 Survey reminder: "IT needs diagnosis" closes Thu 9 Oct; you are part-way through. Reply "survey needs-diagnosis" to pick up where you left off.',
    ]);
    expect((await h.pushed('d')).map((m) => m.text)).toEqual([
      '📝 调研提醒：「信息化需求诊断」将于 10 月 9 日（周四）截止，您还没有填写。回复「调研 needs-diagnosis」开始，几分钟就好。',
    ]);
  });

  it('rejects bad assignments with reasons', async () => {
    const none = await assign({ surveyId: 'needs-diagnosis', deadline: '2025-10-09' });
    expect(none.status).toBe(400);
    expect(none.body.error.reasons).toEqual(['role: give a role, a department, or both']);
    const unknown = await assign({ surveyId: 'nope', role: '财务', deadline: '10/9' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.reasons).toEqual(['deadline: deadline must be a date YYYY-MM-DD']);
    const bad = await assign({ surveyId: 'nope', role: '财务', deadline: '2025-10-09' });
    expect(bad.body.error.reasons).toEqual(['surveyId: no survey "nope" (have: needs-diagnosis)']);
    expect((await (await fetch(base)).json()) as J).toEqual([]);
  });
});
