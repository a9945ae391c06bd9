import type { AddressInfo } from 'node:net';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeFeishu } from '../adapters/feishu/decode.ts';
import { BOT_ID_RETRY_MS, createFeishuAdapter } from '../adapters/feishu/index.ts';
import { type IncomingMessage, type Logger, ManualClock } from '../src/index.ts';

const BASE = 'https://fs-botid.test';
const closers: Array<() => void> = [];

/** A v2 message event; `mentions` are `[placeholder, open_id]` pairs. */
function event(id: string, chatType: 'group' | 'p2p', text: string, mentions: Array<[string, string]> = []) {
  return {
    schema: '2.0',
    header: { event_id: id, event_type: 'im.message.receive_v1', token: 'vtok' },
    event: {
      sender: { sender_id: { open_id: 'ou_lisi' }, sender_type: 'user' },
      message: {
        message_id: `om_${id}`,
        chat_id: chatType === 'group' ? 'oc_group' : 'oc_p2p',
        chat_type: chatType,
        message_type: 'text',
        content: JSON.stringify({ text }),
        mentions: mentions.map(([key, openId]) => ({ key, id: { open_id: openId }, name: openId })),
      },
    },
  };
}

/** Starts the adapter without FEISHU_BOT_OPEN_ID on loopback; returns a poster and what was dispatched. */
async function start(clock = new ManualClock(0)) {
  const got: IncomingMessage[] = [];
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
  const adapter = createFeishuAdapter(
    { appId: 'a', appSecret: 's', apiBase: BASE, verificationToken: 'vtok' },
    { clock, log },
  );
  const app = express();
  const router = express.Router();
  adapter.mount?.(router, { dispatch: async (m) => void got.push(m), log });
  app.use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/feishu`;
  const post = async (body: unknown) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
  };
  return { post, got, warnings, clock };
}

/** Lets the async decode/dispatch after the 200 run (loopback and nock need real ticks). */
const settle = () => new Promise((r) => setTimeout(r, 30));

function tokenApi() {
  nock(BASE)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .reply(200, { code: 0, tenant_access_token: 't-1', expire: 7200 })
    .persist();
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  for (const c of closers) c();
  nock.enableNetConnect();
});

describe('feishu without FEISHU_BOT_OPEN_ID', () => {
  it('decode is pure and safe: no bot open_id → a group mention is not taken as the bot', () => {
    const d = decodeFeishu(event('e0', 'group', '@_user_1 看下', [['@_user_1', 'ou_zhangsan']]));
    expect(d.kind).toBe('ignore');
  });

  it('learns the open_id once from bot/v3/info; answers only mentions of the bot', async () => {
    tokenApi();
    let infoCalls = 0;
    let auth = '';
    nock(BASE)
      .get('/open-apis/bot/v3/info')
      .reply(function () {
        infoCalls++;
        auth = String(this.req.headers.authorization);
        return [200, { code: 0, msg: 'ok', bot: { open_id: 'ou_bot', app_name: '上线助手' } }];
      })
      .persist();
    const s = await start();
    // Two group messages at once: still a single lookup.
    await Promise.all([
      s.post(event('g1', 'group', '@_user_1 下午开会', [['@_user_1', 'ou_zhangsan']])),
      s.post(event('g2', 'group', '@_user_1 帮助', [['@_user_1', 'ou_bot']])),
    ]);
    await settle();
    await s.post(
      event('g3', 'group', '@_user_2 你看 @_user_1 密码', [
        ['@_user_1', 'ou_bot'],
        ['@_user_2', 'ou_zhangsan'],
      ]),
    );
    await s.post(event('g4', 'group', '@_user_1 收到', [['@_user_1', 'ou_zhangsan']]));
    await s.post(event('d1', 'p2p', '调研'));
    await settle();
    expect(infoCalls).toBe(1);
    expect(auth).toBe('Bearer t-1');
    expect(s.got.map((m) => [m.id, m.text]).sort()).toEqual([
      ['d1', '调研'],
      ['g2', '帮助'],
      ['g3', '@ou_zhangsan 你看 密码'],
    ]);
    expect(s.warnings).toEqual([]);
  });

  it('when the lookup fails, group messages are ignored (one warning); direct messages still work', async () => {
    tokenApi();
    let infoCalls = 0;
    nock(BASE)
      .get('/open-apis/bot/v3/info')
      .reply(() => {
        infoCalls++;
        return [400, { code: 99991672, msg: 'Access denied' }];
      })
      .persist();
    const s = await start();
    await s.post(event('f1', 'group', '@_user_1 下午开会', [['@_user_1', 'ou_zhangsan']]));
    await settle();
    await s.post(event('f2', 'group', '@_user_1 帮助', [['@_user_1', 'ou_bot']]));
    await s.post(event('f3', 'p2p', '调研'));
    await settle();
    expect(s.got.map((m) => m.id)).toEqual(['f3']);
    expect(s.warnings.filter((w) => w.includes('bot open_id'))).toHaveLength(1);
    // Not refetched on every message; tried again after the retry delay.
    expect(infoCalls).toBe(1);
    s.clock.advance(BOT_ID_RETRY_MS);
    await s.post(event('f4', 'group', '@_user_1 帮助', [['@_user_1', 'ou_bot']]));
    await settle();
    expect(infoCalls).toBe(2);
    expect(s.warnings.filter((w) => w.includes('bot open_id'))).toHaveLength(1);
  });
});
