import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createJobsApi, parseAtTime, runJobAt } from '../src/scheduler/api.ts';
import { createCronJob } from '../src/scheduler/cron-job.ts';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { MemoryStore } from '../storage/memory.ts';

const SH = 'Asia/Shanghai';
const saved = process.env.TZ;
const clock = new ManualClock(Date.parse('2026-11-20T02:00:00Z'));
const store = new MemoryStore(clock);
const runs: number[] = [];
const seen = new Set<string>();
const scheduler = createScheduler({
  store,
  clock,
  horizonMs: 6 * 3600_000,
  jobs: [
    createCronJob({
      name: 'milestones',
      cron: '0 9 * * *',
      tz: SH,
      async run(at) {
        runs.push(at);
        const key = new Date(at).toISOString().slice(0, 10);
        const fresh = !seen.has(key);
        seen.add(key);
        return { sent: fresh ? 1 : 0, overdue: 0 };
      },
    }),
  ],
});
let base = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;

beforeAll(async () => {
  process.env.TZ = 'America/Los_Angeles';
  const app = express();
  app.use('/api', createJobsApi({ scheduler, calendar: createWorkCalendar(), tz: SH, clock }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  process.env.TZ = saved;
  await new Promise((r) => server.close(r));
});

// biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON
type Json = any;
const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: async (): Promise<Json> => res.json() };
};
const get = async (path: string): Promise<Json> => (await fetch(base + path)).json();

describe('jobs admin API', () => {
  it('POST /jobs/:name/run runs the job as if the clock read `at`', async () => {
    const res = await post('/jobs/milestones/run', { at: '2025-10-09T09:00:00+08:00' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      job: 'milestones',
      at: '2025-10-09T01:00:00.000Z',
      sent: 1,
      overdue: 0,
    });
    const again = await post('/jobs/milestones/run', { at: '2025-10-09T01:00:00Z' });
    expect((await again.json()).sent).toBe(0);
    expect(runs.at(-1)).toBe(Date.parse('2025-10-09T01:00:00Z'));
  });

  it('without `at` it runs at the clock; a local time without offset is read in BOT_TIMEZONE', async () => {
    const res = await post('/jobs/milestones/run', {});
    expect((await res.json()).at).toBe('2026-11-20T02:00:00.000Z');
    const local = await post('/jobs/milestones/run', { at: '2025-10-10T09:30' });
    expect((await local.json()).at).toBe('2025-10-10T01:30:00.000Z');
  });

  it('an unknown job is 404, a bad `at` or body is 400, in the error shape', async () => {
    const nf = await post('/jobs/nope/run', {});
    expect(nf.status).toBe(404);
    expect((await nf.json()).error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('nope'),
    });
    const bad = await post('/jobs/milestones/run', { at: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('bad_request');
    const notJson = await fetch(`${base}/jobs/milestones/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"at":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).error.code).toBe('bad_request');
  });

  it('GET /calendar reports estimated years with the warning, and holidays ahead', async () => {
    const res = await fetch(`${base}/calendar`);
    const body: Json = await res.json();
    expect(body).toMatchObject({ timezone: SH, today: '2026-11-20', estimatedYears: [2027] });
    expect(body.warning).toMatch(/2027/);
    const ranged = await get('/calendar?from=2027-01-01&to=2027-01-03');
    expect(
      ranged.days.map((d: { date: string; working: boolean; source: string }) => [
        d.date,
        d.working,
        d.source,
      ]),
    ).toEqual([
      ['2027-01-01', false, 'estimated'],
      ['2027-01-02', false, 'weekend'],
      ['2027-01-03', false, 'weekend'],
    ]);
    expect((await fetch(`${base}/calendar?from=2027-01-05&to=2026-01-01`)).status).toBe(400);
  });

  it('runJobAt (the CLI path) and parseAtTime', async () => {
    expect(
      (await runJobAt(scheduler, 'milestones', '2025-10-11T09:00:00+08:00', { tz: SH, clock })).sent,
    ).toBe(1);
    expect(parseAtTime('2025-10-09 09:30', SH)).toBe(Date.parse('2025-10-09T01:30:00Z'));
    expect(parseAtTime('2025-10-09T09:30:00.000Z', SH)).toBe(Date.parse('2025-10-09T09:30:00Z'));
    expect(() => parseAtTime('2025-13-09T09:30', SH)).toThrow(/ISO time/);
    expect(() => parseAtTime('2025-10-09', SH)).toThrow(/ISO time/);
    await expect(runJobAt(scheduler, 'x', undefined, { tz: SH, clock })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
