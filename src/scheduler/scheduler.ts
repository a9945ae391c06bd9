import { randomUUID } from 'node:crypto';
import { iso } from '../calendar/time.ts';
import type { Logger } from '../core/adapter.ts';
import { silentLogger } from '../core/adapter.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Store } from '../core/store.ts';
import type { Clock } from '../core/types.ts';
import { systemClock } from '../core/types.ts';
import { runSlot, type SlotOutcome, type SlotRunnerOptions } from './slot-runner.ts';

/** Store location of the scheduler's watermark: collection `scheduler`, key `state`. */
export const STATE_COLLECTION = 'scheduler';
export const STATE_KEY = 'state';

/** Persisted between ticks and across restarts. */
export interface SchedulerState {
  /** The last tick's clock reading, ms UTC: the next tick looks at slots in (lastTick, now]. */
  lastTick: number;
  /** Per job, a slot still owed (its run failed, or another process held it). */
  pending: Record<string, number>;
}

/** What one tick did. */
export interface TickReport {
  /** The tick's clock reading, ms UTC. */
  at: number;
  outcomes: SlotOutcome[];
}

/** What `runNow` answers (the API and CLI print it): the job's result plus name and instant. */
export type JobRunReport = JobRunResult & { job: string; at: string };

export interface SchedulerOptions {
  store: Store;
  jobs: Job[];
  clock?: Clock;
  log?: Logger;
  /** Catch-up horizon (`CATCH_UP_HORIZON_HOURS`), ms: an older missed slot is dropped. */
  horizonMs: number;
  /** Tick period, ms (default one minute); ticks are aligned to multiples of it. */
  tickMs?: number;
  /** `false` (`SCHEDULER=off`): `start()` sets no timer and runs no catch-up. Default `true`. */
  enabled?: boolean;
  /** A `running` slot claim older than this is from a crashed process (default 15 min). */
  leaseMs?: number;
  /** Failed slots are retried after `retryDelayMs × attempts` (default 5 min), `maxAttempts` in all (3). */
  retryDelayMs?: number;
  maxAttempts?: number;
}

export interface Scheduler {
  readonly jobs: readonly Job[];
  /** Runs one catch-up tick, then ticks on ONE timer every `tickMs`. No-op when disabled. */
  start(): Promise<void>;
  /** Clears the timer and waits for a tick in flight. */
  stop(): Promise<void>;
  /** One tick now (serialized with timer ticks). Exposed for tests and operators. */
  tick(): Promise<TickReport>;
  /**
   * Runs job `name` as if the clock read `atMs` (no slot claim: the job's dedupe keys make a
   * repeat send nothing).
   * @throws {NotFoundError} code `not_found` for an unknown job; rethrows the job's error.
   */
  runNow(name: string, atMs: number): Promise<JobRunReport>;
}

let timersInProcess = 0;

/**
 * The one scheduler of a process: a single timer; each tick asks every job for its slots since
 * the persisted watermark and runs, per job, only the LATEST slot — claimed in the store first.
 *
 * Catch-up and clock jumps: after downtime (or a wall-clock jump 08:55 → 11:10 with an hourly
 * job) the missed slots collapse into ONE run at the latest of them (11:00), if it is within
 * the catch-up horizon. Why the latest: a job plans from the store as of its `at`, and every
 * message it queues has a date-based dedupe key, so one run at 11:00 sends the 09:00
 * milestone reminder once; running 09:00, 10:00 and 11:00 in a burst would only add load
 * (and, for jobs without per-day keys, repeats). The first start ever has no watermark and
 * runs nothing (nothing was missed). A clock that goes back re-reads no slot twice: the claims
 * of slots already run stop that.
 *
 * So a job's `run(at)` must do everything due as of `at`, not only what is due exactly at
 * `at`: after downtime only the latest slot runs (e.g. a lessons job with tracks at 09:30 in
 * Shanghai and in London gets one run at the later slot, and must still send the Shanghai
 * lessons not yet sent — their dedupe keys make that safe).
 */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const tickMs = opts.tickMs ?? 60_000;
  // A horizon shorter than two ticks would drop ordinary, slightly late ticks.
  const horizonMs = Math.max(opts.horizonMs, 2 * tickMs);
  const runner: SlotRunnerOptions = {
    store: opts.store,
    now: () => clock.now(),
    owner: randomUUID(),
    leaseMs: opts.leaseMs ?? 15 * 60_000,
    retryDelayMs: opts.retryDelayMs ?? 5 * 60_000,
    maxAttempts: opts.maxAttempts ?? 3,
    ttlMs: horizonMs + 7 * 86_400_000,
  };
  const jobs = [...opts.jobs];
  let chain: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;

  async function doTick(): Promise<TickReport> {
    const now = clock.now();
    const stored = await opts.store.get<SchedulerState>(STATE_COLLECTION, STATE_KEY);
    const state: SchedulerState = { lastTick: stored?.lastTick ?? now, pending: { ...stored?.pending } };
    const from = Math.min(state.lastTick, now);
    const outcomes: SlotOutcome[] = [];
    for (const job of jobs) {
      let slots: number[];
      try {
        slots = job.slots(from, now);
      } catch (e) {
        log.error('job slots failed', { job: job.name, error: String(e) });
        continue;
      }
      if (slots.length > 1)
        log.info('missed slots collapsed to the latest', { job: job.name, missed: slots.length - 1 });
      const slot = slots.at(-1) ?? state.pending[job.name];
      if (slot === undefined) continue;
      const outcome: SlotOutcome =
        now - slot > horizonMs
          ? { status: 'skipped', job: job.name, slot, reason: 'too-old' }
          : await runSlot(runner, job, slot);
      outcomes.push(outcome);
      report(outcome);
      const owed =
        outcome.status === 'failed' ||
        (outcome.status === 'skipped' && ['running', 'backoff'].includes(outcome.reason));
      if (owed) state.pending[job.name] = slot;
      else delete state.pending[job.name];
    }
    state.lastTick = now;
    await opts.store.put<SchedulerState>(STATE_COLLECTION, STATE_KEY, state);
    return { at: now, outcomes };
  }

  function report(o: SlotOutcome): void {
    const base = { job: o.job, slot: iso(o.slot) };
    if (o.status === 'ran') log.info('job ran', { ...base, sent: o.result.sent, ms: o.ms });
    else if (o.status === 'failed')
      log.error('job failed', { ...base, error: o.error, attempts: o.attempts });
    else if (o.reason === 'too-old') log.warn('missed slot beyond the catch-up horizon, skipped', base);
    else log.debug('slot skipped', { ...base, reason: o.reason });
  }

  const tick = (): Promise<TickReport> => {
    const p = chain.then(doTick);
    chain = p.catch(() => undefined);
    return p;
  };

  function arm(): void {
    if (!running) return;
    const delay = tickMs - (clock.now() % tickMs) + 10;
    timer = setTimeout(() => {
      tick()
        .catch((e) => log.error('scheduler tick failed', { error: String(e) }))
        .finally(arm);
    }, delay);
    timer.unref?.();
  }

  return {
    jobs,
    async start() {
      if (opts.enabled === false || running) return;
      running = true;
      if (++timersInProcess > 1)
        log.warn('more than one scheduler timer in this process', { timersInProcess });
      await tick().catch((e) => log.error('scheduler catch-up tick failed', { error: String(e) }));
      arm();
    },
    async stop() {
      if (running) timersInProcess--;
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    tick,
    async runNow(name, atMs) {
      const job = jobs.find((j) => j.name === name);
      if (!job)
        throw new NotFoundError(`no job named "${name}" (jobs: ${jobs.map((j) => j.name).join(', ')})`);
      const t0 = performance.now();
      const result = await job.run(atMs);
      log.info('job ran on request', {
        job: name,
        at: iso(atMs),
        sent: result.sent,
        ms: Math.round(performance.now() - t0),
      });
      const head = { job: name, at: iso(atMs) };
      return Object.assign({}, head, result, head);
    },
  };
}
