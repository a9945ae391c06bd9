import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage as Req, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/core/adapter.ts';
import type { Clock } from '../../src/core/types.ts';
import { type App, createApp } from '../../src/main.ts';

/** A started app on an ephemeral loopback port with a fresh lowdb DATA_DIR (unless given). */
export async function startApp(
  env: Record<string, string> = {},
  opts: { clock?: Clock; dataDir?: string } = {},
): Promise<{ app: App; url: string; dataDir: string }> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'rollout-e2e-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_TOKEN: 'admin-secret',
    SCHEDULER: 'off',
    ...env,
  });
  const app = await createApp({ config, clock: opts.clock, log: silentLogger, connect: false });
  await app.start();
  const url = await app.listen();
  return { app, url, dataDir };
}

/** A fake platform API on loopback that records every request body. */
export async function fakeApi(
  handle: (
    path: string,
    body: unknown,
    req: Req,
  ) => { status?: number; json: unknown; headers?: Record<string, string> },
): Promise<{
  url: string;
  calls: Array<{ path: string; body: any }>;
  close: () => Promise<void>;
  server: Server;
}> {
  const calls: Array<{ path: string; body: any }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {}
      calls.push({ path: req.url ?? '', body });
      const r = handle(req.url ?? '', body, req);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Polls until `fn` returns truthy (real time, bounded). */
export async function until<T>(fn: () => T | Promise<T>, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
