import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingtalkAdapter } from '../adapters/dingtalk/adapter.ts';
import { type IncomingMessage, ManualClock, silentLogger } from '../src/index.ts';

const SECRET = 'dingappsecret_test_1234567890';
const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/dingtalk/sign-vectors.json', import.meta.url), 'utf8'),
) as {
  appCallback: Array<{ appSecret: string; timestamp: string; sign: string }>;
};
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/dingtalk/${name}`, import.meta.url), 'utf8');
const T0 = Number(vectors.appCallback[0].timestamp);

/** Signs the way DingTalk documents it, written apart from verify.ts (hex key path, Buffer concat). */
function sign(timestamp: string, secret = SECRET): string {
  const h = createHmac('sha256', Buffer.from(secret, 'utf8'));
  h.update(Buffer.concat([Buffer.from(timestamp), Buffer.from([0x0a]), Buffer.from(secret)]));
  return h.digest().toString('base64');
}

const clock = new ManualClock(T0);
let server: Server;
let url = '';
let dispatched: IncomingMessage[] = [];
/** Never settles: proves the 200 does not wait for the turn. */
const slowTurn = () => new Promise<void>(() => {});

beforeAll(async () => {
  const adapter = createDingtalkAdapter(
    {
      dingtalk: {
        clientId: 'dingapp',
        clientSecret: SECRET,
        robotCode: 'dingrobot123',
        mode: 'http',
        apiBase: 'http://127.0.0.1:9',
        oapiBase: 'http://127.0.0.1:9',
      },
      DINGTALK_BOT_NAME: '小助手',
    },
    { clock },
  );
  const app = express();
  const router = express.Router();
  adapter.mount?.(router, {
    dispatch: (m) => {
      dispatched.push(m);
      return slowTurn();
    },
    log: silentLogger,
  });
  app.use(router);
  await new Promise<void>((r) => {
    server = app.listen(0, '127.0.0.1', () => r());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/dingtalk`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  dispatched = [];
  clock.set(T0);
});

const post = (body: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
/** Dispatch runs right after the 200 is written; one macrotask later it has happened or never will. */
const flush = () => new Promise((r) => setImmediate(r));

describe('POST /webhooks/dingtalk (HTTP mode)', () => {
  it('the published-construction vector is what our independent signer gives', () => {
    expect(sign(vectors.appCallback[0].timestamp, vectors.appCallback[0].appSecret)).toBe(
      vectors.appCallback[0].sign,
    );
  });

  it('a good signature → 200 at once, the message dispatched once', async () => {
    const ts = String(T0);
    const res = await post(fixture('direct-text.json'), { timestamp: ts, sign: sign(ts) });
    expect(res.status).toBe(200);
    await flush();
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({ id: 'msgDirect0001==', userId: 'lisi', text: '调研' });
  });

  it('group message with the bot glued to Chinese text is answered without the mention', async () => {
    const ts = String(T0 + 10_000);
    clock.set(T0 + 20_000);
    const res = await post(fixture('group-mention-glued.json'), { timestamp: ts, sign: sign(ts) });
    expect(res.status).toBe(200);
    await flush();
    expect(dispatched.map((m) => m.text)).toEqual(['帮我看下这张入库单']);
  });

  it('a group message mentioning someone else → 200, nothing dispatched', async () => {
    const ts = String(T0);
    const res = await post(fixture('group-other-mention.json'), { timestamp: ts, sign: sign(ts) });
    expect(res.status).toBe(200);
    await flush();
    expect(dispatched).toEqual([]);
  });

  it('a bad signature → 401, nothing dispatched', async () => {
    const ts = String(T0);
    const cases: Record<string, string>[] = [
      { timestamp: ts, sign: sign(ts, 'wrong') },
      { timestamp: ts },
      { timestamp: String(T0 + 1), sign: sign(ts) },
    ];
    for (const headers of cases) {
      const res = await post(fixture('direct-text.json'), headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'signature_invalid' } });
    }
    await flush();
    expect(dispatched).toEqual([]);
  });

  it('a timestamp more than 1 h old (or ahead) → 401, even correctly signed', async () => {
    for (const ts of [String(T0 - 3_600_001), String(T0 + 3_600_001)]) {
      const res = await post(fixture('direct-text.json'), { timestamp: ts, sign: sign(ts) });
      expect(res.status).toBe(401);
    }
    const edge = String(T0 - 3_600_000);
    expect((await post(fixture('direct-text.json'), { timestamp: edge, sign: sign(edge) })).status).toBe(200);
    await flush();
    expect(dispatched).toHaveLength(1);
  });

  it('a body that is not JSON → 400, nothing dispatched', async () => {
    const ts = String(T0);
    for (const body of ['{"msgId": ', 'null', '']) {
      const res = await post(body, { timestamp: ts, sign: sign(ts) });
      expect(res.status).toBe(400);
    }
    await flush();
    expect(dispatched).toEqual([]);
  });
});
