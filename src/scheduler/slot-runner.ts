import { iso } from '../calendar/time.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Store } from '../core/store.ts';

/** Store collection of slot claims; key `<job>:<slot ISO>` (e.g. `lessons:2025-10-09T01:30:00.000Z`). */
export const SLOTS_COLLECTION = 'job-slots';

/** What the store keeps per claimed slot. */
export interface SlotDoc {
  status: 'running' | 'done' | 'failed';
  /** When the current attempt started, ms UTC. */
  claimedAt: number;
  attempts: number;
  /** Process that made the current attempt. */
  owner: string;
  finishedAt?: number;
  sent?: number;
  error?: string;
}

/** Outcome of one slot (tagged union; the tick report lists them). */
export type SlotOutcome =
  | { status: 'ran'; job: string; slot: number; result: JobRunResult; ms: number }
  | {
      status: 'skipped';
      job: string;
      slot: number;
      /** `done`: ran already; `running`: another process is on it; `backoff`: failed, retry later; `gave-up`: failed too often; `too-old`: beyond the catch-up horizon. */
      reason: 'done' | 'running' | 'backoff' | 'gave-up' | 'too-old';
    }
  | { status: 'failed'; job: string; slot: number; error: string; attempts: number };

export interface SlotRunnerOptions {
  store: Store;
  now: () => number;
  /** This process, for the claim doc. */
  owner: string;
  /** A `running` claim older than this is taken to be from a crashed process (ms). */
  leaseMs: number;
  /** Wait after a failure before a retry, times the attempts so far (ms). */
  retryDelayMs: number;
  maxAttempts: number;
  /** How long claims are kept (ms); longer than the catch-up horizon. */
  ttlMs: number;
}

/** The claim key of a slot. */
export function slotKey(job: string, slotMs: number): string {
  return `${job}:${iso(slotMs)}`;
}

/**
 * Claims `job:slot` in the store (atomic insert-if-absent) and runs the job if the claim is
 * ours, so a restart, a double timer or a second instance never runs a slot twice. A claim left
 * `running` past the lease (a crash mid-run) or `failed` is retried, at most `maxAttempts`
 * times in all — safe because jobs are idempotent (every message has a dedupe key).
 * Never throws: a job's error comes back as `failed`.
 */
export async function runSlot(o: SlotRunnerOptions, job: Job, slot: number): Promise<SlotOutcome> {
  const key = slotKey(job.name, slot);
  const now = o.now();
  let attempts = 1;
  const fresh: SlotDoc = { status: 'running', claimedAt: now, attempts, owner: o.owner };
  if (!(await o.store.claim(SLOTS_COLLECTION, key, fresh, { ttlMs: o.ttlMs, now: o.now() }))) {
    const doc = await o.store.get<SlotDoc>(SLOTS_COLLECTION, key);
    const base = { status: 'skipped' as const, job: job.name, slot };
    if (!doc || doc.status === 'done') return { ...base, reason: 'done' };
    if (doc.attempts >= o.maxAttempts) return { ...base, reason: 'gave-up' };
    if (doc.status === 'running' && now - doc.claimedAt < o.leaseMs) return { ...base, reason: 'running' };
    if (doc.status === 'failed' && now - doc.claimedAt < o.retryDelayMs * doc.attempts)
      return { ...base, reason: 'backoff' };
    attempts = doc.attempts + 1;
    await o.store.put<SlotDoc>(
      SLOTS_COLLECTION,
      key,
      { ...fresh, attempts },
      { ttlMs: o.ttlMs, now: o.now() },
    );
  }
  const t0 = performance.now();
  try {
    const result = await job.run(slot);
    const done: SlotDoc = { ...fresh, attempts, status: 'done', finishedAt: o.now(), sent: result.sent };
    await o.store.put<SlotDoc>(SLOTS_COLLECTION, key, done, { ttlMs: o.ttlMs, now: o.now() });
    return { status: 'ran', job: job.name, slot, result, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const failed: SlotDoc = { ...fresh, attempts, status: 'failed', finishedAt: o.now(), error };
    await o.store
      .put<SlotDoc>(SLOTS_COLLECTION, key, failed, { ttlMs: o.ttlMs, now: o.now() })
      .catch(() => undefined);
    return { status: 'failed', job: job.name, slot, error, attempts };
  }
}
