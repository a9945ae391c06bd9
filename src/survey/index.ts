// The survey engine: content schema and loader, answer parsing, the chat feature, diagnosis, admin routes.
export * from './admin.ts';
export * from './condition.ts';
export * from './diagnosis.ts';
export * from './feature.ts';
export * from './loader.ts';
export * from './parse-answer.ts';
export * from './responses.ts';
export * from './schema.ts';
