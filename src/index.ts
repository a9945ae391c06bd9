// Public surface of the core, for adapters/ and storage/ (imports point inward).

export type { Config } from './config.ts';
export * from './core/adapter.ts';
export * from './core/calendar.ts';
export * from './core/clone.ts';
export * from './core/commands.ts';
export * from './core/digest.ts';
export * from './core/errors.ts';
export * from './core/feature.ts';
export * from './core/i18n.ts';
export * from './core/jobs.ts';
export * from './core/outbox.ts';
export * from './core/process.ts';
export * from './core/rate-limit.ts';
export * from './core/store.ts';
export * from './core/text.ts';
export * from './core/token-cache.ts';
export * from './core/types.ts';
export * from './http/raw-body.ts';
