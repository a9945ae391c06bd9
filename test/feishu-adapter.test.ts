import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeishuApi } from '../adapters/feishu/api.ts';
import { decodeFeishu, stripMentions } from '../adapters/feishu/decode.ts';
import { encodeFeishu } from '../adapters/feishu/encode.ts';
import { createFeishuAdapter } from '../adapters/feishu/index.ts';
import { decryptFeishu, encryptFeishu, feishuSignature } from '../adapters/feishu/verify.ts';
import { SignatureError } from '../src/core/errors.ts';
import { type IncomingMessage, ManualClock } from '../src/core/types.ts';

const vector = JSON.parse(
  readFileSync(new URL('./fixtures/vectors/feishu-decrypt-doc.json', import.meta.url), 'utf8'),
);
const BOT = 'ou_bot';

const msgEvent = (
  eventId: string,
  over: Record<string, unknown> = {},
  message: Record<string, unknown> = {},
) => ({
  schema: '2.0',
  header: {
    event_id: eventId,
    event_type: 'im.message.receive_v1',
    token: 'vtok',
    create_time: '1700000000000',
  },
  event: {
    sender: { sender_id: { open_id: 'ou_user' }, sender_type: 'user' },
    message: {
      message_id: 'om_1',
      chat_id: 'oc_p2p',
      chat_type: 'p2p',
      message_type: 'text',
      content: JSON.stringify({ text: '调研' }),
      ...message,
    },
    ...over,
  },
});

describe('feishu crypto', () => {
  it('decrypts the published example', () => {
    expect(decryptFeishu(vector.inputs.encrypt_key, vector.inputs.encrypt)).toBe(vector.expected.plaintext);
  });
  it('round-trips and rejects a wrong key', () => {
    const enc = encryptFeishu('k', '{"a":"汉字😀"}', randomBytes(16));
    expect(decryptFeishu('k', enc)).toBe('{"a":"汉字😀"}');
    expect(() => decryptFeishu('other', enc)).toThrow(SignatureError);
  });
});

describe('feishu decode', () => {
  it('strips only the bot placeholder', () => {
    const mentions = [
      { key: '@_user_1', id: { open_id: BOT }, name: '小助手' },
      { key: '@_user_2', id: { open_id: 'ou_x' }, name: '张三' },
    ];
    expect(stripMentions('@_user_1 帮我看下@_user_2 的单据', mentions, BOT)).toBe('帮我看下@张三 的单据');
  });
  it('decodes p2p text, ignores a group message for someone else, takes one for the bot', () => {
    const p2p = decodeFeishu(msgEvent('e1'), BOT);
    expect(p2p.kind === 'message' && p2p.message).toMatchObject({
      id: 'e1',
      userId: 'ou_user',
      text: '调研',
    });
    const other = decodeFeishu(
      msgEvent(
        'e2',
        {},
        {
          chat_type: 'group',
          chat_id: 'oc_g',
          content: JSON.stringify({ text: '@_user_1 看下' }),
          mentions: [{ key: '@_user_1', id: { open_id: 'ou_x' } }],
        },
      ),
      BOT,
    );
    expect(other.kind).toBe('ignore');
    const mine = decodeFeishu(
      msgEvent(
        'e3',
        {},
        {
          chat_type: 'group',
          chat_id: 'oc_g',
          content: JSON.stringify({ text: '@_user_1帮助' }),
          mentions: [{ key: '@_user_1', id: { open_id: BOT } }],
        },
      ),
      BOT,
    );
    expect(mine.kind === 'message' && mine.message).toMatchObject({
      text: '帮助',
      address: { chatId: 'oc_g', chatType: 'group' },
    });
  });
  it('decodes a v1 envelope, a card click and an image', () => {
    const v1 = decodeFeishu({
      uuid: 'u-1',
      token: 't',
      type: 'event_callback',
      event: {
        type: 'message',
        msg_type: 'text',
        open_id: 'ou_a',
        chat_type: 'private',
        text_without_at_bot: ' 密码 ',
      },
    });
    expect(v1.kind === 'message' && v1.message).toMatchObject({ id: 'u-1', text: '密码' });
    const card = decodeFeishu({
      schema: '2.0',
      header: { event_id: 'c1', event_type: 'card.action.trigger' },
      event: {
        operator: { open_id: 'ou_a' },
        action: { value: { v: 'survey:a:q:1' } },
        context: { open_chat_id: 'oc_1' },
      },
    });
    expect(card.kind === 'message' && card.message.action).toBe('survey:a:q:1');
    const img = decodeFeishu(
      msgEvent('e4', {}, { message_type: 'image', content: '{"image_key":"x"}' }),
      BOT,
    );
    expect(img.kind === 'message' && img.message.text).toBeUndefined();
  });
  it('renders buttons as a card with values', () => {
    const b = encodeFeishu({ text: '选', buttons: [{ label: '生产型', value: 'v1' }] });
    expect(b.msg_type).toBe('interactive');
    expect(JSON.parse(b.content).elements[1].actions[0].value).toEqual({ v: 'v1' });
    expect(encodeFeishu({ text: 'hi' }).msg_type).toBe('text');
  });
});

describe('feishu token', () => {
  afterEach(() => nock.cleanAll());
  it('replaces a 7200 s token before 11:57 and both sends around expiry succeed; one fetch under concurrency', async () => {
    const clock = new ManualClock(Date.parse('2026-03-02T10:00:00+08:00'));
    const api = new FeishuApi({ appId: 'a', appSecret: 's', apiBase: 'https://fs.test' }, clock);
    let fetched = 0;
    nock('https://fs.test')
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .times(2)
      .reply(() => {
        fetched++;
        return [200, { code: 0, tenant_access_token: `t${fetched}`, expire: 7200 }];
      });
    nock('https://fs.test')
      .post(/\/open-apis\/im\/v1\/messages/)
      .times(12)
      .reply(200, { code: 0, data: { message_id: 'om' } });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        api.sendMessage({ type: 'open_id', id: 'ou' }, { msg_type: 'text', content: '{}' }),
      ),
    );
    expect(fetched).toBe(1);
    clock.set(Date.parse('2026-03-02T11:56:59+08:00'));
    expect(await api.tenantAccessToken()).toBe('t2');
    clock.set(Date.parse('2026-03-02T11:59:58+08:00'));
    await api.sendMessage({ type: 'open_id', id: 'ou' }, { msg_type: 'text', content: '{}' });
    clock.set(Date.parse('2026-03-02T12:00:00+08:00'));
    await api.sendMessage({ type: 'open_id', id: 'ou' }, { msg_type: 'text', content: '{}' });
    expect(fetched).toBe(2);
  });
  it('maps 429 with x-ogw-ratelimit-reset and refetches once on an invalid token', async () => {
    const clock = new ManualClock(0);
    const api = new FeishuApi({ appId: 'a', appSecret: 's', apiBase: 'https://fs.test' }, clock);
    nock('https://fs.test')
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .times(2)
      .reply(200, { code: 0, tenant_access_token: 't', expire: 7200 });
    nock('https://fs.test')
      .post(/im\/v1\/messages/)
      .reply(429, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '2' });
    await expect(
      api.sendMessage({ type: 'chat_id', id: 'oc' }, { msg_type: 'text', content: '{}' }),
    ).rejects.toMatchObject({ retryable: true, retryAfterMs: 2000, errcode: 99991400 });
    nock('https://fs.test')
      .post(/im\/v1\/messages/)
      .reply(200, { code: 99991663, msg: 'token invalid' });
    nock('https://fs.test')
      .post(/im\/v1\/messages/)
      .reply(200, { code: 0, data: { message_id: 'om2' } });
    expect(await api.sendMessage({ type: 'chat_id', id: 'oc' }, { msg_type: 'text', content: '{}' })).toBe(
      'om2',
    );
  });
});

describe('feishu route (real server on loopback)', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
  const KEY = 'encrypt-key-1';
  const got: IncomingMessage[] = [];
  const servers: Array<() => void> = [];
  const start = async (cfg: { encryptKey?: string; verificationToken?: string }) => {
    const adapter = createFeishuAdapter(
      { appId: 'a', appSecret: 's', apiBase: 'https://fs.test', botOpenId: BOT, ...cfg },
      { clock },
    );
    const app = express();
    const router = express.Router();
    adapter.mount!(router, {
      dispatch: async (m) => void got.push(m),
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    app.use(router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    servers.push(() => server.close());
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/feishu`;
  };
  let encUrl = '';
  let plainUrl = '';
  beforeAll(async () => {
    encUrl = await start({ encryptKey: KEY, verificationToken: 'vtok' });
    plainUrl = await start({ verificationToken: 'vtok' });
  });
  afterAll(() => {
    for (const c of servers) c();
  });

  const signedPost = (url: string, raw: string, over: { ts?: string; sig?: string } = {}) => {
    const ts = over.ts ?? String(Math.floor(clock.now() / 1000));
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-lark-request-timestamp': ts,
        'x-lark-request-nonce': 'n1',
        'x-lark-signature': over.sig ?? feishuSignature(KEY, ts, 'n1', raw),
      },
      body: raw,
    });
  };

  it('answers plain and encrypted url_verification', async () => {
    const plain = await fetch(plainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'url_verification', challenge: 'c1', token: 'vtok' }),
    });
    expect(await plain.json()).toEqual({ challenge: 'c1' });
    const bad = await fetch(plainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'url_verification', challenge: 'c1', token: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    const enc = encryptFeishu(
      KEY,
      JSON.stringify({ type: 'url_verification', challenge: 'c2', token: 'vtok' }),
      randomBytes(16),
    );
    const r = await fetch(encUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encrypt: enc }),
    });
    expect(await r.json()).toEqual({ challenge: 'c2' });
  });

  it('checks the signature over the raw (non-compact) bytes; bad or stale → 401, nothing dispatched', async () => {
    got.length = 0;
    const enc = encryptFeishu(KEY, JSON.stringify(msgEvent('ev-1')), randomBytes(16));
    const raw = `{ "encrypt" :  "${enc}" }`; // not compact: re-serialized JSON would not match
    expect((await signedPost(encUrl, raw)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => m.id)).toEqual(['ev-1']);
    expect((await signedPost(encUrl, raw, { sig: 'a'.repeat(64) })).status).toBe(401);
    expect(
      (await signedPost(encUrl, raw, { ts: String(Math.floor(clock.now() / 1000) - 7200) })).status,
    ).toBe(401);
    const unsigned = await fetch(encUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    expect(unsigned.status).toBe(401);
    expect((await signedPost(encUrl, '{oops')).status).toBe(400);
    expect((await signedPost(encUrl, '[1,2]')).status).toBe(400);
    // Signed and decrypted with our key, yet not an event object: 400, nothing dispatched.
    for (const plain of ['null', '42', '[1,2]']) {
      const r = await signedPost(
        encUrl,
        JSON.stringify({ encrypt: encryptFeishu(KEY, plain, randomBytes(16)) }),
      );
      expect(r.status).toBe(400);
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
  });

  it('acks an event push with an empty 200 and a card click with {} (the card stays as it is)', async () => {
    got.length = 0;
    const push = await signedPost(
      encUrl,
      JSON.stringify({ encrypt: encryptFeishu(KEY, JSON.stringify(msgEvent('ev-ack')), randomBytes(16)) }),
    );
    expect(push.status).toBe(200);
    expect(await push.text()).toBe('');
    const click = {
      schema: '2.0',
      header: { event_id: 'c-ack', event_type: 'card.action.trigger', token: 'vtok' },
      event: {
        operator: { open_id: 'ou_a' },
        action: { value: { v: 'x' } },
        context: { open_chat_id: 'oc_1' },
      },
    };
    const card = await signedPost(
      encUrl,
      JSON.stringify({ encrypt: encryptFeishu(KEY, JSON.stringify(click), randomBytes(16)) }),
    );
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await card.json()).toEqual({});
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => m.id).sort()).toEqual(['c-ack', 'ev-ack']);
  });

  it('checks the verification token when there is no Encrypt Key', async () => {
    got.length = 0;
    const ok = await fetch(plainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(msgEvent('ev-2')),
    });
    expect(ok.status).toBe(200);
    const body = msgEvent('ev-3');
    body.header.token = 'nope';
    const bad = await fetch(plainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(bad.status).toBe(401);
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => m.id)).toEqual(['ev-2']);
  });
});
