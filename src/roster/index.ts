// Roster: who is who (roles, departments, managers, time zones).
export * from './api.ts';
export * from './feature.ts';
export * from './import.ts';
export * from './store.ts';
export * from './types.ts';
