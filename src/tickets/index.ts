// Level-two tickets: feature, SLA job, admin API, SLA arithmetic.
export * from './api.ts';
export * from './categorize.ts';
export * from './feature.ts';
export * from './model.ts';
export type { Categorize } from './ops.ts';
export * from './repo.ts';
export * from './sla.ts';
export * from './sla-job.ts';
