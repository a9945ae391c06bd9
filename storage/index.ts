// Store backends behind the one `Store` interface; `createStore` picks one from config.
export * from './create-store.ts';
export * from './lowdb.ts';
export * from './memory.ts';
