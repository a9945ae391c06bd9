/**
 * Scheduled jobs (lessons, milestones, survey-reminders, digest, ticket SLA). The scheduler
 * (src/scheduler/) ticks, asks each job for its slots, claims `job:slot` in the store so a slot
 * never runs twice (restart, double timer, second instance), then calls `run(at)`.
 * `POST /api/jobs/:name/run {at}` and `rollout run-job <name> --at <ISO>` call `run` directly.
 */
export interface JobRunResult {
  /** Messages this run queued in the outbox (after dedupe). */
  sent: number;
  [detail: string]: unknown;
}

export interface Job {
  /** Contract name: `lessons`, `milestones`, `survey-reminders`, `digest`, … */
  readonly name: string;
  /**
   * Slot instants (ms since epoch, UTC) in the half-open interval (fromMs, toMs], ascending.
   * Working-day and time-zone rules are applied here.
   */
  slots(fromMs: number, toMs: number): number[];
  /**
   * Does what a firing at `atMs` does. Must be idempotent: every message carries a dedupe key,
   * so running the same `at` twice queues nothing the second time.
   */
  run(atMs: number): Promise<JobRunResult>;
}
