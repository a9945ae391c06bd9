import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalkAdapter } from '../adapters/dingtalk/index.ts';
import { createFeishuAdapter } from '../adapters/feishu/index.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import type { LoadRequest } from '../bench/lib/load.ts';
import {
  benchConfig as cfg,
  dingtalkRequest,
  feishuRequest,
  slackRequest,
} from '../bench/lib/platform-requests.ts';
import { createHttpApp, listen } from '../src/http/server.ts';
import type { Adapter, IncomingMessage } from '../src/index.ts';
import { silentLogger } from '../src/index.ts';

// Every webhook route reads its body with the shared raw reader (src/http/raw-body.ts): the
// limits and refusals must hold on each, and a refused request must reach nobody.
const LIMIT = '4kb';
const opts = { log: silentLogger, bodyLimit: LIMIT };

type Patch = { body?: string | Buffer; headers?: Record<string, string> };
/** A body change breaks Feishu's and Slack's signatures (they cover the bytes). */
const tamperBody = (r: LoadRequest): Patch => ({ body: (r.body ?? '').replace('"', ' "') });

const routes: Array<{
  name: string;
  adapter: () => Adapter;
  request: (i: number) => LoadRequest;
  tamper: (r: LoadRequest) => Patch;
}> = [
  {
    name: 'dingtalk',
    adapter: () => createDingtalkAdapter({ ...cfg, BODY_LIMIT: LIMIT }, opts),
    request: dingtalkRequest,
    // DingTalk's sign covers timestamp + secret only, not the body.
    tamper: (r) => ({ headers: { sign: `${r.headers?.sign?.slice(0, -4)}AAA=` } }),
  },
  {
    name: 'feishu',
    adapter: () => createFeishuAdapter(cfg.feishu!, opts),
    request: feishuRequest,
    tamper: tamperBody,
  },
  {
    name: 'slack',
    adapter: () => createSlackAdapter(cfg.slack!, opts),
    request: slackRequest('/webhooks/slack'),
    tamper: tamperBody,
  },
];

describe.each(routes)('$name webhook body handling', ({ adapter, request, tamper }) => {
  let server: Server;
  let base: string;
  const got: IncomingMessage[] = [];
  beforeAll(async () => {
    const a = adapter();
    const app = createHttpApp({
      routes: [(router) => a.mount?.(router, { log: silentLogger, dispatch: async (m) => void got.push(m) })],
      api: [],
      health: async () => undefined,
      metrics: () => '',
      log: () => {},
    });
    ({ server } = await listen(app, 0, '127.0.0.1'));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const send = (r: LoadRequest, patch: Patch = {}) =>
    fetch(base + r.path, {
      method: r.method,
      headers: { ...r.headers, ...patch.headers },
      body: patch.body ?? r.body,
    });

  it('accepts a good delivery with 200 and hands it on once', async () => {
    const before = got.length;
    const res = await send(request(1));
    expect(res.status).toBe(200);
    await expect.poll(() => got.length).toBe(before + 1);
  });

  it('refuses a body over the limit with 413, whether declared or streamed, and hands nothing on', async () => {
    const before = got.length;
    const big = `{"pad":"${'x'.repeat(5000)}"}`;
    const declared = await send(request(2), { body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    // Streamed in chunks without Content-Length: the reader counts bytes as they come.
    const chunks = new ReadableStream({
      start(c) {
        for (let k = 0; k < 5; k++) c.enqueue(new TextEncoder().encode('y'.repeat(1500)));
        c.close();
      },
    });
    const streamed = await fetch(base + request(3).path, {
      method: 'POST',
      headers: request(3).headers,
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.length).toBe(before);
  });

  it('refuses a compressed body with 415 and a bad signature with 401, handing nothing on', async () => {
    const before = got.length;
    const r = request(4);
    const gz = await send(r, { body: gzipSync(r.body ?? ''), headers: { 'content-encoding': 'gzip' } });
    expect(gz.status).toBe(415);
    const tampered = await send(request(5), tamper(request(5)));
    expect(tampered.status).toBe(401);
    await new Promise((res) => setTimeout(res, 50));
    expect(got.length).toBe(before);
  });
});
