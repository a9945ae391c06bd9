// Working-day calendar and time-zone utilities.
export * from './estimate.ts';
export * from './official.ts';
export * from './overrides.ts';
export * from './time.ts';
export * from './work-calendar.ts';
