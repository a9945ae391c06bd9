import { randomBytes } from 'node:crypto';
import { loadConfig, loadDotEnv } from '../config.ts';
import { createLogger } from '../core/adapter.ts';
import { BotError } from '../core/errors.ts';
import { type App, createApp } from '../main.ts';

/**
 * Opens the bot in this process for an operator command: the configured store and content,
 * the scheduler off, no platform long connections, `/api` reachable with a one-off token.
 * When a running server holds the store lock, says so (the CLI never writes under a server).
 * @throws {BotError} code `store_io` when the store is locked by a running server.
 */
export async function openApp(
  env: Record<string, string | undefined> = process.env,
): Promise<{ app: App; token: string }> {
  loadDotEnv();
  const token = randomBytes(16).toString('hex');
  const config = loadConfig({
    ...env,
    SCHEDULER: 'off',
    ADMIN_TOKEN: token,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: env.LOG_LEVEL ?? 'error',
  });
  const app = await createApp({ config, connect: false, log: createLogger(config.LOG_LEVEL) });
  return { app, token };
}

/** Calls one admin route of an in-process app over loopback. */
export async function callApi(
  app: App,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  return fetchApi(await app.listen(), token, path, init);
}

/** One admin API request; the answer's raw bytes are kept. */
async function fetchApi(
  base: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  // Raw bytes: `res.text()` would drop the UTF-8 BOM that makes Excel read CSV as UTF-8.
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    text: bytes.toString('utf8'),
    bytes,
    type: res.headers.get('content-type') ?? '',
  };
}

/** One line for an operator (the stack only with `DEBUG` set). */
export function describeError(e: unknown): string {
  if (e instanceof BotError || !process.env.DEBUG) return e instanceof Error ? e.message : String(e);
  return String((e as Error)?.stack ?? e);
}

/** Answer of an admin API call, raw bytes kept (CSV BOM). */
export interface ApiAnswer {
  status: number;
  text: string;
  bytes: Buffer;
  type: string;
}

/**
 * Where operator commands send admin API calls: the running server when its store lock is held
 * (needs `ADMIN_TOKEN`), else an app opened in this process.
 * @throws {BotError} code `store_io` when a server holds the store and no `ADMIN_TOKEN` is set.
 */
export async function openApi(): Promise<{
  call: (path: string, init?: { method?: string; body?: unknown }) => Promise<ApiAnswer>;
  close: () => Promise<void>;
  remote: boolean;
  app?: App;
}> {
  try {
    const { app, token } = await openApp();
    await app.outbox.start();
    return {
      call: (path, init) => callApi(app, token, path, init),
      close: async () => {
        await Promise.race([app.outbox.idle(), new Promise((r) => setTimeout(r, 10_000))]);
        await app.stop();
      },
      remote: false,
      app,
    };
  } catch (e) {
    if (!(e instanceof BotError) || e.code !== 'store_io') throw e;
    const cfg = loadConfig();
    if (!cfg.ADMIN_TOKEN)
      throw new BotError(
        e.code,
        `${e.message}\n(set ADMIN_TOKEN to send this command to the running server instead)`,
      );
    const host = cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST;
    const base = `http://${host}:${cfg.PORT}`;
    return {
      call: (path, init) => fetchApi(base, cfg.ADMIN_TOKEN as string, path, init),
      close: async () => {},
      remote: true,
    };
  }
}
