// The scheduler: one tick, cron slots, slot claims, and the jobs admin API.
export * from './api.ts';
export * from './cron.ts';
export * from './cron-job.ts';
export * from './scheduler.ts';
export * from './slot-runner.ts';
