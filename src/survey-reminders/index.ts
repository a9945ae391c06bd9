export * from './api.ts';
export * from './assignments.ts';
export * from './job.ts';
