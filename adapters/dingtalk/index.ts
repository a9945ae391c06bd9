// DingTalk adapter: app robot (Stream or HTTP mode) and custom group robot. See adapter.ts.
export * from './adapter.ts';
export * from './api.ts';
export * from './api-errors.ts';
export * from './decode.ts';
export * from './encode.ts';
export * from './group-robot.ts';
export * from './http-route.ts';
export type * from './payloads.ts';
export * from './stream.ts';
export * from './verify.ts';
