import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createMilestonesApi } from '../src/milestones/api.ts';
import { parseDateInput } from '../src/milestones/dates.ts';
import { loadMilestoneTemplates } from '../src/milestones/schema.ts';
import { MemoryStore } from '../storage/memory.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies from the API under test
type J = any;

const calendar = createWorkCalendar();
const clock = new ManualClock(Date.parse('2026-03-04T02:00:00Z'));
const store = new MemoryStore(clock);
let server: Server;
let base: string;

beforeAll(async () => {
  const templates = await loadMilestoneTemplates(join(import.meta.dirname, '..', 'flows'));
  await store.put('roster', 'dev:pm', { userId: 'dev:pm', name: '项目经理', roles: [] });
  const app = express()
    .use(express.json())
    .use('/api', createMilestonesApi({ store, templates, calendar, tz: 'Asia/Shanghai', clock }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => server.close());

const post = async (body: unknown) => {
  const res = await fetch(`${base}/milestones/plans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as J };
};

describe('POST /api/milestones/plans', () => {
  it('builds the default template at working-day offsets, then the quarterly reviews', async () => {
    const { status, body } = await post({
      title: '上线计划',
      start: '2025-09-22',
      template: 'default',
      owner: 'dev:pm',
      sponsor: 'dev:boss',
    });
    expect(status).toBe(201);
    expect(body.id).toMatch(/^plan-/);
    const due = Object.fromEntries(body.milestones.map((m: { id: string; due: string }) => [m.id, m.due]));
    // 10 working days from Mon 2025-09-22 skip 国庆 (Oct 1–8) and count both 调休 days (Sun Sep 28, Sat Oct 11).
    expect(due['needs-diagnosis']).toBe('2025-10-11');
    expect(body.milestones.map((m: { id: string }) => m.id)).toEqual([
      'needs-diagnosis',
      'solution-design',
      'data-migration',
      'pilot',
      'iteration',
      'stress-test',
      'uat',
      'go-live-support',
      'full-rollout',
      'quarterly-review-1',
      'quarterly-review-2',
      'quarterly-review-3',
      'quarterly-review-4',
    ]);
    expect(calendar.workingDaysBetween('2025-09-22', due['full-rollout'])).toBe(120);
    expect(body.milestones[9]).toMatchObject({ title: '季度复盘 1', owner: 'dev:pm', sponsor: 'dev:boss' });
    // A start in the past is fine; milestones already past are overdue or escalated at once.
    expect(body.milestones[0].status).toBe('escalated');
    expect(body.milestones[12].status).toBe('open');
    expect(body.warnings).toEqual(['dev:boss is not in the roster yet (reminders still go to that address)']);
  });

  it('lets listed milestones override the template and add their own', async () => {
    const { status, body } = await post({
      title: '试点',
      start: '2026-03-09',
      template: 'pilot',
      owner: 'dev:pm',
      milestones: [
        { id: 'pilot-live', owner: 'dev:ops', due: '2026-03-20' },
        { id: 'training', title: '培训', owner: 'dev:hr', due: '2026-03-12' },
      ],
    });
    expect(status).toBe(201);
    expect(
      body.milestones.map((m: { id: string; owner: string; due: string }) => `${m.id} ${m.owner} ${m.due}`),
    ).toEqual([
      'training dev:hr 2026-03-12',
      'pilot-prep dev:pm 2026-03-16',
      'pilot-live dev:ops 2026-03-20',
      'pilot-review dev:pm 2026-04-07',
      'rollout-decision dev:pm 2026-04-14',
    ]);
    const list = (await (await fetch(`${base}/milestones`)).json()) as J;
    expect(list.find((p: { id: string }) => p.id === body.id).milestones[0]).toMatchObject({
      id: 'training',
      status: 'open',
    });
  });

  it('answers 400 with every reason, and changes nothing', async () => {
    const before = ((await (await fetch(`${base}/milestones`)).json()) as J).length;
    const bad = await post({
      title: '',
      start: '2026-02-30',
      milestones: [{ id: 'a b', owner: 'zhangsan' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
    expect(bad.body.error.reasons).toEqual(
      expect.arrayContaining([
        'title: title is required',
        'start: must be a date YYYY-MM-DD',
        expect.stringMatching(/^milestones\.0\.id: id must be letters/),
        expect.stringMatching(/^milestones\.0\.owner: must be a roster user key/),
      ]),
    );
    const semantic = await post({
      title: 'X',
      start: '2026-03-09',
      template: 'nope',
      milestones: [
        { id: 'a', title: 'A', due: '2026-03-20' },
        { id: 'b', title: 'B', owner: 'dev:x', due: '2026-03-01' },
      ],
    });
    expect(semantic.status).toBe(400);
    expect(semantic.body.error.reasons).toEqual([
      'template: no template "nope" (have: default, pilot)',
      'milestones: b is due 2026-03-01, before the plan starts (2026-03-09)',
    ]);
    expect((await post({ title: 'X', start: '2026-03-09' })).body.error.reasons).toEqual([
      'give a template, a milestones list, or both',
    ]);
    expect(((await (await fetch(`${base}/milestones`)).json()) as J).length).toBe(before);
  });

  it('409s on a taken id and 404s on an unknown plan', async () => {
    const body = {
      id: 'fixed',
      title: 'X',
      start: '2026-03-09',
      milestones: [{ id: 'a', title: 'A', owner: 'dev:pm', due: '2026-03-20' }],
    };
    expect((await post(body)).status).toBe(201);
    expect((await post(body)).status).toBe(409);
    expect((await fetch(`${base}/milestones/plans/none`)).status).toBe(404);
  });
});

describe('date input for 申请延期', () => {
  it.each([
    ['2026-03-05', '2026-03-05'],
    ['2026/3/5', '2026-03-05'],
    ['２０２６年３月５日', '2026-03-05'],
    ['3月5日', '2026-03-05'],
    ['3月5号', '2026-03-05'],
    ['3/5', '2026-03-05'],
    ['1月5日', '2027-01-05'], // already past this year: next year
    ['2月30日', undefined],
    ['下周一', undefined],
  ])('%s → %s', (text, want) => {
    expect(parseDateInput(text, '2026-03-04')).toBe(want);
  });
});
