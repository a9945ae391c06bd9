// Level-one FAQ: content, retrieval, the chat feature, gaps API and live reload.
export * from './api.ts';
export * from './bm25.ts';
export * from './decide.ts';
export * from './faq-index.ts';
export * from './feature.ts';
export * from './gaps.ts';
export * from './load.ts';
export { M as FAQ_MESSAGES } from './messages.ts';
export * from './normalize.ts';
export * from './out-of-scope.ts';
export * from './reload.ts';
export * from './schema.ts';
