import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { iso, localDate, localTime } from '../src/calendar/time.ts';
import type { Job } from '../src/core/jobs.ts';
import { Outbox } from '../src/core/outbox.ts';
import { ManualClock } from '../src/core/types.ts';
import { createCronJob } from '../src/scheduler/cron-job.ts';
import { createScheduler, type Scheduler, STATE_COLLECTION, STATE_KEY } from '../src/scheduler/scheduler.ts';
import { SLOTS_COLLECTION, type SlotDoc, slotKey } from '../src/scheduler/slot-runner.ts';
import { MemoryStore } from '../storage/memory.ts';

const SH = 'Asia/Shanghai';
const HOUR = 3600_000;
const at = (s: string) => Date.parse(s);
const saved = process.env.TZ;

beforeAll(() => {
  process.env.TZ = 'Europe/London';
});
afterAll(() => {
  process.env.TZ = saved;
});

/**
 * A job that sends like the real ones do: through the outbox, with a per-day dedupe key.
 * Here a daily nudge (`nudge:<user>:<local date>`) that is due from 09:00 local.
 */
function world(opts: { cron?: string; horizonHours?: number } = {}) {
  const clock = new ManualClock(at('2025-06-02T16:00:00Z')); // 2025-06-03 00:00 Shanghai
  const store = new MemoryStore(clock);
  const outbox = new Outbox({ store, clock });
  const runs: number[] = [];
  const job: Job = createCronJob({
    name: 'milestones',
    cron: opts.cron ?? '0 9 * * *',
    tz: SH,
    async run(atMs) {
      runs.push(atMs);
      const lt = localTime(atMs, SH);
      if (lt.hh < 9) return { sent: 0 };
      const r = await outbox.enqueue([
        {
          to: { platform: 'dev', userId: 'u1', chatType: 'direct' },
          message: { text: '里程碑「试点上线」今天到期' },
          idempotencyKey: `milestone:m1:due:${lt.ymd}`,
          dedupeKey: `milestone:m1:due:${lt.ymd}`,
        },
      ]);
      return { sent: r.queued };
    },
  });
  const make = (jobs: Job[] = [job]) =>
    createScheduler({ store, jobs, clock, horizonMs: (opts.horizonHours ?? 6) * HOUR });
  const queued = async () => (await store.list('outbox')).length;
  return { clock, store, outbox, runs, job, make, queued };
}

/** Ticks once a minute from the clock's time until `until`. */
async function tickUntil(s: Scheduler, clock: ManualClock, until: number): Promise<void> {
  while (clock.now() + 60_000 <= until) {
    clock.advance(60_000);
    await s.tick();
  }
}

describe('scheduler (host TZ=Europe/London)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a daily 09:30 Shanghai job fires exactly once a day, at 01:30:00Z, across both London DST switches', async () => {
    for (const start of ['2025-03-28T00:00:00Z', '2025-10-24T00:00:00Z']) {
      const w = world({ cron: '30 9 * * *' });
      w.clock.set(start);
      const s = w.make();
      await s.start();
      await s.stop();
      await tickUntil(s, w.clock, at(start) + 4 * 24 * HOUR);
      expect(w.runs.map(iso)).toHaveLength(4);
      for (const r of w.runs) expect(iso(r).slice(10)).toBe('T01:30:00.000Z');
      expect(new Set(w.runs.map((r) => localDate(r, SH))).size).toBe(4);
    }
  });

  it('a 2-hour downtime across the slot sends the missed nudge once, on start', async () => {
    const w = world();
    w.clock.set('2025-06-03T00:30:00Z'); // 08:30 local
    const s1 = w.make();
    await s1.start();
    await s1.stop();
    expect(w.runs).toEqual([]);
    w.clock.set('2025-06-03T02:30:00Z'); // down until 10:30 local; the 09:00 slot was missed
    const s2 = w.make();
    await s2.start();
    await s2.stop();
    expect(w.runs.map(iso)).toEqual(['2025-06-03T01:00:00.000Z']);
    expect(await w.queued()).toBe(1);
    await tickUntil(s2, w.clock, at('2025-06-03T06:00:00Z'));
    expect(w.runs).toHaveLength(1);
  });

  it('a restart right after sending sends nothing again — also without the watermark', async () => {
    const w = world();
    w.clock.set('2025-06-03T00:59:00Z');
    const s1 = w.make();
    await s1.start();
    await s1.stop();
    await tickUntil(s1, w.clock, at('2025-06-03T01:01:00Z'));
    expect(w.runs).toHaveLength(1);
    expect(await w.queued()).toBe(1);

    const s2 = w.make();
    await s2.start();
    await s2.stop();
    expect(w.runs).toHaveLength(1);

    // Crash between running and saving the watermark: the slot claim still stops a rerun.
    await w.store.put(STATE_COLLECTION, STATE_KEY, { lastTick: at('2025-06-03T00:59:00Z'), pending: {} });
    const s3 = w.make();
    const report = await s3.tick();
    expect(report.outcomes).toMatchObject([{ status: 'skipped', reason: 'done' }]);
    expect(w.runs).toHaveLength(1);
    expect(await w.queued()).toBe(1);
  });

  it('a wall-clock jump 08:55 → 11:10 with an hourly job: one run, the 09:00 reminder once, later ticks add nothing', async () => {
    const w = world({ cron: '0 * * * *' });
    w.clock.set('2025-06-03T00:55:00Z'); // 08:55 local
    const s = w.make();
    await s.start();
    await s.stop();
    w.clock.set('2025-06-03T03:10:00Z'); // 11:10 local
    const report = await s.tick();
    expect(report.outcomes).toHaveLength(1);
    expect(w.runs.map(iso)).toEqual(['2025-06-03T03:00:00.000Z']); // collapsed to the latest (11:00)
    expect(await w.queued()).toBe(1);
    await tickUntil(s, w.clock, at('2025-06-03T05:30:00Z')); // 12:00 and 13:00 fire, dedupe keeps quiet
    expect(w.runs).toHaveLength(3);
    expect(await w.queued()).toBe(1);
  });

  it('a clock that goes back an hour after a run does not run the slot again', async () => {
    const w = world();
    w.clock.set('2025-06-03T00:59:00Z');
    const s = w.make();
    await s.tick();
    await tickUntil(s, w.clock, at('2025-06-03T01:02:00Z'));
    expect(w.runs).toHaveLength(1);
    w.clock.set('2025-06-03T00:30:00Z');
    await s.tick();
    await tickUntil(s, w.clock, at('2025-06-03T01:05:00Z'));
    expect(w.runs).toHaveLength(1);
    expect(await w.queued()).toBe(1);
  });

  it('a missed slot beyond the catch-up horizon is skipped; the first start ever runs nothing', async () => {
    const w = world({ horizonHours: 1 });
    w.clock.set('2025-06-03T02:30:00Z');
    const s0 = w.make();
    await s0.start(); // no watermark: nothing was missed
    await s0.stop();
    expect(w.runs).toEqual([]);
    w.clock.set('2025-06-04T00:00:00Z'); // 08:00 local next day
    await w.store.put(STATE_COLLECTION, STATE_KEY, { lastTick: at('2025-06-03T00:00:00Z'), pending: {} });
    w.clock.set('2025-06-03T03:00:00Z'); // 11:00 local: the 09:00 slot is 2 h old, horizon 1 h
    const report = await s0.tick();
    expect(report.outcomes).toMatchObject([{ status: 'skipped', reason: 'too-old' }]);
    expect(w.runs).toEqual([]);
  });

  it('a failed run is retried after a backoff, at most 3 attempts in all', async () => {
    const w = world();
    let fail = 2;
    const flaky: Job = {
      ...w.job,
      run: async (a) => (fail-- > 0 ? Promise.reject(new Error('store down')) : w.job.run(a)),
    };
    w.clock.set('2025-06-03T00:59:00Z');
    const s = w.make([flaky]);
    await s.start();
    await s.stop();
    w.clock.set('2025-06-03T01:00:00Z');
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'failed', attempts: 1 }]);
    w.clock.advance(60_000);
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'skipped', reason: 'backoff' }]);
    w.clock.advance(5 * 60_000);
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'failed', attempts: 2 }]);
    w.clock.advance(10 * 60_000);
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'ran' }]);
    w.clock.advance(60 * 60_000);
    expect((await s.tick()).outcomes).toEqual([]);
    expect(await w.queued()).toBe(1);
    const doc = await w.store.get<SlotDoc>(
      SLOTS_COLLECTION,
      slotKey('milestones', at('2025-06-03T01:00:00Z')),
    );
    expect(doc).toMatchObject({ status: 'done', attempts: 3, sent: 1 });
  });

  it('a run left "running" by a crashed process is taken over after the lease', async () => {
    const w = world();
    const slot = at('2025-06-03T01:00:00Z');
    await w.store.put<SlotDoc>(SLOTS_COLLECTION, slotKey('milestones', slot), {
      status: 'running',
      claimedAt: slot,
      attempts: 1,
      owner: 'dead-process',
    });
    await w.store.put(STATE_COLLECTION, STATE_KEY, { lastTick: slot - 60_000, pending: {} });
    w.clock.set(slot + 5 * 60_000);
    const s = w.make();
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'skipped', reason: 'running' }]);
    w.clock.set(slot + 16 * 60_000);
    expect((await s.tick()).outcomes).toMatchObject([{ status: 'ran' }]);
    expect(w.runs).toEqual([slot]);
  });

  it('two instances (or a double timer) on one store run a slot once', async () => {
    const w = world();
    w.clock.set('2025-06-03T00:59:00Z');
    const a = w.make();
    const b = w.make();
    await a.tick();
    w.clock.set('2025-06-03T01:00:01Z');
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([...ra.outcomes, ...rb.outcomes].filter((o) => o.status === 'ran')).toHaveLength(1);
    expect(w.runs).toHaveLength(1);
  });

  it('runNow runs as if the clock read `at`; the same `at` twice sends nothing the second time', async () => {
    const w = world();
    const s = w.make();
    const first = await s.runNow('milestones', at('2025-06-03T01:30:00Z'));
    expect(first).toEqual({ job: 'milestones', at: '2025-06-03T01:30:00.000Z', sent: 1 });
    expect((await s.runNow('milestones', at('2025-06-03T01:30:00Z'))).sent).toBe(0);
    expect((await s.runNow('milestones', at('2025-06-04T01:30:00Z'))).sent).toBe(1);
    await expect(s.runNow('nope', 0)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('SCHEDULER=off sets no timer; on, ONE timer ticks at the minute', async () => {
    vi.useFakeTimers({ now: at('2025-06-03T00:59:30Z') });
    const clock = { now: () => Date.now() };
    const store = new MemoryStore(clock);
    const runs: number[] = [];
    const job = createCronJob({
      name: 'milestones',
      cron: '0 9 * * *',
      tz: SH,
      run: async (a) => {
        runs.push(a);
        return { sent: 0 };
      },
    });
    const off = createScheduler({ store, jobs: [job], clock, horizonMs: HOUR, enabled: false });
    await off.start();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(runs).toEqual([]);

    vi.setSystemTime(at('2025-06-03T00:59:30Z'));
    const on = createScheduler({ store, jobs: [job, { ...job, name: 'digest' }], clock, horizonMs: HOUR });
    await on.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs.map(iso)).toEqual(['2025-06-03T01:00:00.000Z', '2025-06-03T01:00:00.000Z']);
    expect(vi.getTimerCount()).toBe(1);
    await on.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
