import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWecomAdapter, sealCallback, type WecomAdapter } from '../adapters/wecom/index.ts';
import { Bot } from '../src/core/bot.ts';
import type { Outbox } from '../src/core/outbox.ts';
import type { IncomingMessage } from '../src/index.ts';
import { PlatformApiError, silentLogger } from '../src/index.ts';
import { MemoryStore } from '../storage/memory.ts';

const vector = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/vectors/${name}`, import.meta.url), 'utf8'));
const post = vector('wecom-post-xml-QDG6eK.json');
const verify = vector('wecom-verifyurl-QDG6eK.json');

const API = 'https://qyapi.wecom.test';
const cfg = {
  corpId: post.inputs.receiveId,
  agentId: '218',
  secret: 's3cret',
  token: post.inputs.token,
  encodingAESKey: post.inputs.encodingAESKey,
  apiBase: API,
};

let adapter: WecomAdapter;
let server: Server;
let base: string;
let handler: (m: IncomingMessage) => Promise<void>;
const dispatch = vi.fn((m: IncomingMessage) => handler(m));

function textXml(msgId: string, content: string, time = 1700000000): string {
  return `<xml><ToUserName><![CDATA[${cfg.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${time}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>218</AgentID></xml>`;
}

function postCallback(xml: string, tamper?: (q: Record<string, string>) => void) {
  const sealed = sealCallback(adapter.keys, xml, {
    timestamp: '1700000000',
    nonce: '1372623149',
    agentId: '218',
  });
  const q: Record<string, string> = { ...sealed.query };
  tamper?.(q);
  return fetch(`${base}/webhooks/wecom?${new URLSearchParams(q)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: sealed.body,
  });
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  adapter = createWecomAdapter(cfg, { bodyLimit: '16kb' });
  const app = express();
  const router = express.Router();
  adapter.mount?.(router, { dispatch, log: silentLogger });
  app.use(router);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  nock.enableNetConnect();
});
beforeEach(() => {
  dispatch.mockClear();
  handler = async () => {};
});
afterEach(() => nock.cleanAll());

describe('GET /webhooks/wecom (URL verification)', () => {
  it('echoes the decrypted echostr verbatim for the published example', async () => {
    const q = verify.inputs.query;
    const res = await fetch(
      `${base}/webhooks/wecom?msg_signature=${q.msg_signature}&timestamp=${q.timestamp}&nonce=${q.nonce}&echostr=${q.echostr_urlencoded}`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(verify.expected.plaintext);
  });

  it('answers 401 to a wrong signature and 400 to a missing parameter', async () => {
    const q = verify.inputs.query;
    const bad = await fetch(
      `${base}/webhooks/wecom?msg_signature=${'0'.repeat(40)}&timestamp=${q.timestamp}&nonce=${q.nonce}&echostr=${q.echostr_urlencoded}`,
    );
    expect(bad.status).toBe(401);
    const missing = await fetch(
      `${base}/webhooks/wecom?msg_signature=${q.msg_signature}&timestamp=${q.timestamp}`,
    );
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/nonce/);
  });
});

describe('POST /webhooks/wecom', () => {
  it('answers the published callback with an empty 200 and dispatches it once', async () => {
    const res = await fetch(`${base}/webhooks/wecom?${new URLSearchParams(post.inputs.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: post.inputs.body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await vi.waitFor(() => expect(dispatch).toHaveBeenCalledTimes(1));
    expect(dispatch.mock.calls[0][0]).toMatchObject({
      id: '4561255354251345929',
      userId: 'mycreate',
      text: 'hello',
    });
  });

  it('answers 401 to a wrong msg_signature and dispatches nothing', async () => {
    const res = await postCallback(textXml('1', '调研'), (q) => {
      q.msg_signature = q.msg_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    });
    expect(res.status).toBe(401);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('answers 401 when the signed timestamp was altered', async () => {
    const res = await postCallback(textXml('1', '调研'), (q) => {
      q.timestamp = '1700000001';
    });
    expect(res.status).toBe(401);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('answers 400 to a body that is not XML or has no Encrypt, and to missing parameters', async () => {
    const q = new URLSearchParams(post.inputs.query);
    for (const body of ['{"encrypt":"x"}', '<xml><Encrypt>', '<xml><ToUserName>a</ToUserName></xml>', '']) {
      const res = await fetch(`${base}/webhooks/wecom?${q}`, { method: 'POST', body });
      expect(res.status).toBe(400);
    }
    const noSig = await fetch(`${base}/webhooks/wecom?timestamp=1&nonce=2`, {
      method: 'POST',
      body: post.inputs.body,
    });
    expect(noSig.status).toBe(400);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await fetch(`${base}/webhooks/wecom?${new URLSearchParams(post.inputs.query)}`, {
      method: 'POST',
      body: `<xml><Encrypt>${'A'.repeat(20_000)}</Encrypt></xml>`,
    });
    expect(res.status).toBe(413);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('parses markup-like content with a U+0002 and keeps it literal', async () => {
    const res = await postCallback(textXml('7300000000000000001', '结果：<status>ok</status>\u0002'));
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(dispatch).toHaveBeenCalledTimes(1));
    expect(dispatch.mock.calls[0][0].text).toBe('结果：<status>ok</status>');
  });

  it('never answers 5xx after verification: an undecodable message or a failing dispatch still gets 200', async () => {
    const bad = await postCallback('<xml><MsgType>text</MsgType><Content>');
    expect(bad.status).toBe(200);
    handler = async () => {
      throw new Error('store down');
    };
    const failing = await postCallback(textXml('7300000000000000002', 'hi'));
    expect(failing.status).toBe(200);
    await vi.waitFor(() => expect(dispatch).toHaveBeenCalledTimes(1));
  });
});

describe('POST /webhooks/wecom through the bot core (dedupe on the unique id)', () => {
  it('handles two messages from one member in the same second, and drops a redelivery', async () => {
    const store = new MemoryStore();
    const commit = vi.fn(async () => {});
    const outbox = { commit, enqueue: vi.fn(async () => ({ queued: 0, skipped: 0 })) } as unknown as Outbox;
    const bot = new Bot({ store, outbox, features: [] });
    const results: string[] = [];
    handler = async (m) => {
      results.push((await bot.dispatch(m)).status);
    };
    const first = textXml('7300000000000000100', '你好');
    expect((await postCallback(first)).status).toBe(200);
    expect((await postCallback(textXml('7300000000000000101', '在吗'))).status).toBe(200);
    expect((await postCallback(first)).status).toBe(200); // WeCom's retry of the first
    await vi.waitFor(() => expect(results).toHaveLength(3));
    expect(results.sort()).toEqual(['done', 'done', 'duplicate']);
    expect(commit).toHaveBeenCalledTimes(2);
  });
});

describe('adapter.send', () => {
  function wecomApi(sendReplies: object[]) {
    const bodies: unknown[] = [];
    // The token is cached across tests; fetch it when needed.
    nock(API)
      .get('/cgi-bin/gettoken')
      .query(true)
      .optionally()
      .reply(200, { errcode: 0, access_token: 'tk', expires_in: 7200 });
    const scope = nock(API)
      .post('/cgi-bin/message/send')
      .query({ access_token: 'tk' })
      .times(sendReplies.length);
    let i = 0;
    scope.reply(200, (_uri, b) => {
      bodies.push(b);
      return sendReplies[i++];
    });
    return bodies;
  }

  it('sends a long reply as ordered text pieces with the integer agentid', async () => {
    const bodies = wecomApi([
      { errcode: 0, msgid: 'a' },
      { errcode: 0, msgid: 'b' },
      { errcode: 0, msgid: 'c' },
    ]);
    const r = await adapter.send(
      { platform: 'wecom', userId: 'zhangsan' },
      { text: `${'汉'.repeat(1500)}END` },
      { idempotencyKey: 'reply:wecom:1:0' },
    );
    expect(r).toEqual({ messageId: 'c' });
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatchObject({ touser: 'zhangsan', agentid: 218, msgtype: 'text' });
    expect((bodies[2] as { text: { content: string } }).text.content.endsWith('END')).toBe(true);
  });

  it('on a retry after a partial failure, sends only the pieces WeCom has not taken', async () => {
    const msg = { text: `${'汉'.repeat(1500)}END` };
    const to = { platform: 'wecom' as const, userId: 'zhangsan' };
    const first = wecomApi([
      { errcode: 0, msgid: 'a' },
      { errcode: 45009, errmsg: 'api freq out of limit' },
    ]);
    await expect(adapter.send(to, msg, { idempotencyKey: 'k-partial' })).rejects.toBeInstanceOf(
      PlatformApiError,
    );
    expect(first).toHaveLength(2);
    const second = wecomApi([
      { errcode: 0, msgid: 'b' },
      { errcode: 0, msgid: 'c' },
    ]);
    await adapter.send(to, msg, { idempotencyKey: 'k-partial' });
    expect(second).toEqual([first[1], expect.anything()]);
    expect((second[1] as { text: { content: string } }).text.content.endsWith('END')).toBe(true);
    expect(nock.isDone()).toBe(true);
  });
});
