import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackApi } from '../adapters/slack/api.ts';
import {
  decodeBlockActions,
  decodeEventCallback,
  slackToPlain,
  stripBotMention,
} from '../adapters/slack/decode.ts';
import { encodeMessage, markdownToMrkdwn } from '../adapters/slack/encode.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { slackSignature, verifySlackSignature } from '../adapters/slack/verify.ts';
import { PlatformApiError, SignatureError } from '../src/core/errors.ts';
import { type IncomingMessage, ManualClock } from '../src/core/types.ts';

const vector = JSON.parse(
  readFileSync(new URL('./fixtures/vectors/slack-signing-doc.json', import.meta.url), 'utf8'),
);
const SECRET = 'test-signing-secret';

describe('slack verify', () => {
  const base = {
    signingSecret: vector.inputs.signing_secret,
    timestamp: vector.inputs.headers['X-Slack-Request-Timestamp'],
    signature: vector.expected['X-Slack-Signature'],
    rawBody: Buffer.from(vector.inputs.raw_body),
  };
  const ts = Number(base.timestamp) * 1000;

  it('accepts the published worked example (form-encoded body)', () => {
    expect(() => verifySlackSignature({ ...base, nowMs: ts })).not.toThrow();
  });
  it('rejects one changed byte of a form body', () => {
    const raw = Buffer.from(vector.inputs.raw_body.replace('roadrunner', 'roadrunnes'));
    expect(() => verifySlackSignature({ ...base, rawBody: raw, nowMs: ts })).toThrow(SignatureError);
  });
  it('applies the 300 s window both ways, in seconds', () => {
    expect(() => verifySlackSignature({ ...base, nowMs: ts + 100_000 })).not.toThrow();
    expect(() => verifySlackSignature({ ...base, nowMs: ts + 301_000 })).toThrow(SignatureError);
    expect(() => verifySlackSignature({ ...base, nowMs: ts - 301_000 })).toThrow(SignatureError);
    // the same instant written in ms is ~1000× in the future
    const msTs = String(ts);
    const sig = `v0=${slackSignature(base.signingSecret, msTs, base.rawBody)}`;
    expect(() => verifySlackSignature({ ...base, timestamp: msTs, signature: sig, nowMs: ts })).toThrow(
      SignatureError,
    );
  });
});

describe('slack decode/encode', () => {
  it('strips only the bot mention', () => {
    expect(stripBotMention('<@UBOT> 密码忘了 <@UOTHER>', 'UBOT')).toBe('密码忘了 <@UOTHER>');
    expect(stripBotMention('<@UBOT|rollout> 调研', 'UBOT')).toBe('调研');
  });
  it('turns Slack formatting into plain text: entities, other mentions, channels, links', () => {
    expect(slackToPlain('A &amp; B &lt;status&gt;ok&lt;/status&gt;')).toBe('A & B <status>ok</status>');
    expect(slackToPlain('&amp;lt;')).toBe('&lt;');
    expect(slackToPlain('<@UOTHER> 帮我看下 <@U2|李四>')).toBe('@ 帮我看下 @李四');
    expect(slackToPlain('见 <#C123|仓库群> 和 <https://example.com/help|帮助中心> <https://x.io>')).toBe(
      '见 #仓库群 和 帮助中心 https://example.com/help https://x.io',
    );
    expect(slackToPlain('<!here> 注意')).toBe('@here 注意');
    const dm = decodeEventCallback({
      event_id: 'EvAmp',
      authorizations: [{ user_id: 'UBOT' }],
      event: {
        type: 'message',
        channel_type: 'im',
        user: 'U1',
        channel: 'D1',
        text: '报销 &amp; 发票 &lt;急&gt;',
        ts: '1.0',
      },
    });
    expect(dm.kind === 'message' && dm.message.text).toBe('报销 & 发票 <急>');
  });
  it('decodes a DM and an app_mention, ignores the bot echo and unaddressed channel text', () => {
    const dm = decodeEventCallback({
      event_id: 'Ev1',
      authorizations: [{ user_id: 'UBOT' }],
      event: {
        type: 'message',
        channel_type: 'im',
        user: 'U1',
        text: '调研',
        ts: '1700000000.000100',
        channel: 'D1',
      },
    });
    expect(dm.kind === 'message' && dm.message).toMatchObject({
      id: 'Ev1',
      userId: 'U1',
      text: '调研',
      address: { chatId: 'D1', chatType: 'direct' },
    });
    const mention = decodeEventCallback({
      event_id: 'Ev2',
      authorizations: [{ user_id: 'UBOT' }],
      event: { type: 'app_mention', user: 'U1', text: '<@UBOT> 帮助', ts: '1.2', channel: 'C1' },
    });
    expect(mention.kind === 'message' && mention.message.text).toBe('帮助');
    expect(
      decodeEventCallback({
        event_id: 'Ev3',
        event: { type: 'message', channel_type: 'im', bot_id: 'B1', user: 'UBOT', channel: 'D1', text: 'hi' },
      }).kind,
    ).toBe('ignore');
    expect(
      decodeEventCallback({
        event_id: 'Ev4',
        event: { type: 'message', channel_type: 'channel', user: 'U1', channel: 'C1', text: 'hi' },
      }).kind,
    ).toBe('ignore');
  });
  it('decodes a button click with trigger_id as the dedupe id', () => {
    const d = decodeBlockActions({
      type: 'block_actions',
      trigger_id: 'tr1',
      user: { id: 'U1' },
      channel: { id: 'D1' },
      actions: [{ value: 'survey:a:q1:x' }],
    });
    expect(d.kind === 'message' && d.message).toMatchObject({ id: 'action:tr1', action: 'survey:a:q1:x' });
  });
  it('renders markdown as mrkdwn and buttons as Block Kit', () => {
    expect(markdownToMrkdwn('**密码重置**……详见[帮助中心](https://example.com/help)')).toBe(
      '*密码重置*……详见<https://example.com/help|帮助中心>',
    );
    const b = encodeMessage({ text: '选一个', buttons: [{ label: '生产型', value: 'v1' }] });
    expect(JSON.stringify(b.blocks)).toContain('"value":"v1"');
    expect(b.text).toContain('1. 生产型');
  });
});

describe('slack api', () => {
  afterEach(() => nock.cleanAll());
  it('maps 429 with and without Retry-After, and invalid_auth', async () => {
    const api = new SlackApi('https://slack.test/api', 'xoxb-1');
    nock('https://slack.test').post('/api/chat.postMessage').reply(429, {}, { 'Retry-After': '3' });
    await expect(api.postMessage({ channel: 'C', text: 'x' })).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
    });
    nock('https://slack.test').post('/api/chat.postMessage').reply(429, {});
    const e = await api.postMessage({ channel: 'C', text: 'x' }).catch((x) => x);
    expect(e).toBeInstanceOf(PlatformApiError);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBeUndefined();
    nock('https://slack.test').post('/api/chat.postMessage').reply(200, { ok: false, error: 'invalid_auth' });
    await expect(api.postMessage({ channel: 'C', text: 'x' })).rejects.toMatchObject({
      retryable: false,
      tokenInvalid: true,
    });
    nock('https://slack.test')
      .post('/api/chat.postMessage', (b) => b.channel === 'C' && b.text === 'x')
      .matchHeader('authorization', 'Bearer xoxb-1')
      .reply(200, { ok: true, ts: '1.1' });
    expect(await api.postMessage({ channel: 'C', text: 'x' })).toBe('1.1');
  });
});

describe('slack route (real server on loopback)', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
  const got: IncomingMessage[] = [];
  let url = '';
  let close: () => void;
  beforeAll(async () => {
    const adapter = createSlackAdapter(
      { signingSecret: SECRET, botToken: 'xoxb-1', apiUrl: 'https://slack.test/api' },
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
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/slack`;
    close = () => server.close();
  });
  afterAll(() => close());

  const post = (body: string, type: string, opts: { ts?: number; sig?: string; retry?: string } = {}) => {
    const ts = String(Math.floor((opts.ts ?? clock.now()) / 1000));
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': type,
        'x-slack-request-timestamp': ts,
        'x-slack-signature': opts.sig ?? `v0=${slackSignature(SECRET, ts, body)}`,
        ...(opts.retry ? { 'x-slack-retry-num': opts.retry, 'x-slack-retry-reason': 'http_timeout' } : {}),
      },
      body,
    });
  };

  it('answers url_verification', async () => {
    const r = await post(JSON.stringify({ type: 'url_verification', challenge: 'abc' }), 'application/json');
    expect(await r.json()).toEqual({ challenge: 'abc' });
  });

  it('acks an event at once and hands it to the bot; a bad signature is 401 and dispatches nothing', async () => {
    got.length = 0;
    const ev = JSON.stringify({
      type: 'event_callback',
      event_id: 'EvX',
      authorizations: [{ user_id: 'UBOT' }],
      event: { type: 'message', channel_type: 'im', user: 'U9', text: '调研', ts: '1.1', channel: 'D9' },
    });
    const r = await post(ev, 'application/json');
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 50));
    expect(got.map((m) => m.id)).toEqual(['EvX']);
    const bad = await post(ev, 'application/json', { sig: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const future = await post(ev, 'application/json', { ts: clock.now() + 301_000 });
    expect(future.status).toBe(401);
    await new Promise((res) => setTimeout(res, 50));
    expect(got).toHaveLength(1);
  });

  it('takes a form-encoded button click, acks it, and rejects it with one byte changed', async () => {
    got.length = 0;
    const payload = {
      type: 'block_actions',
      trigger_id: 't-1',
      user: { id: 'U9' },
      channel: { id: 'D9' },
      actions: [{ value: 'survey:a:q:1', action_ts: '1' }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const r = await post(body, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 50));
    expect(got.map((m) => m.action)).toEqual(['survey:a:q:1']);
    const ts = String(Math.floor(clock.now() / 1000));
    const sig = `v0=${slackSignature(SECRET, ts, body)}`;
    const tampered = body.replace('U9', 'U8');
    const r2 = await post(tampered, 'application/x-www-form-urlencoded', { sig });
    expect(r2.status).toBe(401);
  });

  it('answers 400 to a signed body that does not parse', async () => {
    expect((await post('{not json', 'application/json')).status).toBe(400);
  });
});
