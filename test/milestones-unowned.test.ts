// Regression: the contract's plan body has no `owner` (CONTRACT.md "Milestone plans"); such a
// plan must be created, its milestones without an owner, their reminders to PROJECT_GROUP.
process.env.TZ = 'Europe/London';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
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
let server: Server;
let api: string;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-27T01:00:00Z'));
  h = await createHarness({ features: [createMilestoneFeature({ calendar, tz: TZ })], clock });
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

async function post(body: unknown) {
  const res = await fetch(`${api}/milestones/plans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as J };
}
const list = async () => (await (await fetch(`${api}/milestones`)).json()) as J;
/** 09:00 Shanghai on a local date. */
const nine = (ymd: string) => Date.parse(`${ymd}T09:00:00+08:00`);

describe('plans without an owner (the contract body)', () => {
  it('creates {title, start, template: pilot} exactly as the contract writes it; owner absent', async () => {
    const { status, body } = await post({ title: '试点A', start: '2026-11-30', template: 'pilot' });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.id).toBeTruthy();
    expect(body.milestones.map((m: J) => m.id)).toEqual([
      'pilot-prep',
      'pilot-live',
      'pilot-review',
      'rollout-decision',
    ]);
    const [plan] = await list();
    expect(plan.title).toBe('试点A');
    for (const m of plan.milestones) {
      expect(m.owner ?? null).toBeNull();
      expect(m.status).toBe('open');
    }
    // 5 working days from Mon 2026-11-30
    expect(plan.milestones[0].due).toBe('2026-12-07');
  });

  it('the shipped template ids work as written: "default" and "pilot"', async () => {
    expect(templates.map((t) => t.id).sort()).toEqual(['default', 'pilot']);
    const d = await post({ title: '上线', start: '2026-11-30', template: 'default' });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    expect(d.body.milestones[0]).toMatchObject({ id: 'needs-diagnosis', title: '需求诊断' });
    expect(d.body.milestones.at(-1).id).toBe('quarterly-review-4');
  });

  it('the plan-wide owner/sponsor extension still fills template milestones; listed owners win', async () => {
    const { status, body } = await post({
      title: '试点B',
      start: '2026-11-30',
      template: 'pilot',
      owner: 'dev:pm',
      sponsor: 'dev:boss',
      milestones: [{ id: 'pilot-live', owner: 'dev:ops' }],
    });
    expect(status).toBe(201);
    expect(body.milestones.map((m: J) => `${m.id} ${m.owner} ${m.sponsor}`)).toEqual([
      'pilot-prep dev:pm dev:boss',
      'pilot-live dev:ops dev:boss',
      'pilot-review dev:pm dev:boss',
      'rollout-decision dev:pm dev:boss',
    ]);
  });

  it('reminders of unowned milestones go to PROJECT_GROUP; anyone there may mark them done', async () => {
    await post({ title: '试点A', start: '2026-11-30', template: 'pilot' });
    const [plan] = await list();
    const job = createMilestonesJob({
      store: h.store,
      outbox: h.outbox,
      calendar,
      tz: TZ,
      projectGroup: 'dev:pm',
    });
    // pilot-prep due Mon 12-07: T-3 is Wed 12-02.
    clock.set(nine('2026-12-02'));
    const r = await job.run(nine('2026-12-02'));
    expect(r).toMatchObject({ sent: 1, byKind: { 't-3': 1 } });
    expect(r.unassigned).toBeUndefined();
    const [nudge] = await h.pushed('pm');
    expect(nudge.text).toContain('「试点准备（账号、数据、培训）」将于');
    expect(nudge.text).toContain('负责人：未指定');
    expect(nudge.buttons?.[0]).toEqual({
      label: '已完成',
      value: `milestone:done:${plan.id}:pilot-prep`,
    });
    const [ok] = await h.click('pm', nudge.buttons![0].value);
    expect(ok.text).toContain('已记录');
    const [after] = await list();
    expect(after.milestones[0].status).toBe('done');
    // the plan view shows 未指定 for the others
    const [view] = await h.click('pm', `milestone:plan:${plan.id}`);
    expect(view.text).toContain('试点上线');
    expect(view.text).toContain('未指定');
  });

  it('without PROJECT_GROUP they are skipped and counted as unassigned, not sent anywhere', async () => {
    await post({ title: '试点A', start: '2026-11-30', template: 'pilot' });
    const job = createMilestonesJob({ store: h.store, outbox: h.outbox, calendar, tz: TZ });
    clock.set(nine('2026-12-02'));
    const r = await job.run(nine('2026-12-02'));
    expect(r).toMatchObject({ sent: 0, unassigned: 1 });
    expect(await h.pushed('pm')).toEqual([]);
  });

  it('an unowned overdue milestone escalates to the group saying it has no owner', async () => {
    await post({
      title: '试点C',
      start: '2026-11-30',
      milestones: [{ id: 'prep', title: '试点准备', due: '2026-12-01' }],
    });
    const job = createMilestonesJob({
      store: h.store,
      outbox: h.outbox,
      calendar,
      tz: TZ,
      projectGroup: 'dev:pm',
    });
    // due Tue 12-01; overdue Wed, Thu, Fri; escalation Mon 12-07
    clock.set(nine('2026-12-07'));
    expect((await job.run(nine('2026-12-07'))).byKind).toEqual({ escalate: 1 });
    const [esc] = await h.pushed('pm');
    expect(esc.text).toContain('还没有指定负责人');
    // the weekly digest names no owner as 未指定
    const digest = createDigestJob({
      store: h.store,
      outbox: h.outbox,
      calendar,
      tz: TZ,
      tracks: [],
      projectGroup: 'dev:pm',
    });
    await digest.run(nine('2026-12-07'));
    expect((await h.pushed('pm')).at(-1)?.text).toContain('试点准备（未指定，');
  });
});
