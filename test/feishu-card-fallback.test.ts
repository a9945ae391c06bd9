import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFeishuText } from '../adapters/feishu/encode.ts';
import { createFeishuAdapter } from '../adapters/feishu/index.ts';
import { type OutgoingMessage, silentLogger } from '../src/index.ts';

const BASE = 'https://fs-card.test';
const to = { platform: 'feishu', userId: 'ou_user', chatType: 'direct' } as const;
const card: OutgoingMessage = {
  text: '请选择您所在的行业',
  buttons: [
    { label: '生产型', value: 'survey:q1:mfg' },
    { label: '贸易型', value: 'survey:q1:trade' },
  ],
};

/** Records every `im/v1/messages` body and answers each with the next of `replies`. */
function messagesApi(replies: Array<[number, Record<string, unknown>]>) {
  const bodies: Array<{ msg_type: string; content: string; uuid?: string }> = [];
  nock(BASE)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .reply(200, { code: 0, tenant_access_token: 't', expire: 7200 });
  nock(BASE)
    .post(/\/open-apis\/im\/v1\/messages/)
    .times(replies.length)
    .reply((_uri, body) => {
      bodies.push(body as (typeof bodies)[number]);
      return replies[bodies.length - 1];
    });
  return bodies;
}

const adapter = () =>
  createFeishuAdapter(
    { appId: 'a', appSecret: 's', apiBase: BASE, botOpenId: 'ou_bot', verificationToken: 'v' },
    { log: silentLogger },
  );

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('feishu: a card refused for good is resent once as text', () => {
  it('230099 (HTTP 400) → the same message as encodeFeishuText, with its own uuid', async () => {
    const bodies = messagesApi([
      [400, { code: 230099, msg: 'Failed to create card content' }],
      [200, { code: 0, data: { message_id: 'om_text' } }],
    ]);
    const r = await adapter().send(to, card, { idempotencyKey: 'k1' });
    expect(r).toEqual({ messageId: 'om_text' });
    expect(bodies.map((b) => b.msg_type)).toEqual(['interactive', 'text']);
    expect(bodies[1].content).toBe(encodeFeishuText(card).content);
    expect(JSON.parse(bodies[1].content).text).toContain('1. 生产型');
    expect(bodies[1].uuid).toBeTruthy();
    expect(bodies[1].uuid).not.toBe(bodies[0].uuid);
  });

  it('any other non-retryable, non-token refusal of a card also falls back', async () => {
    const bodies = messagesApi([
      [200, { code: 11310, msg: 'card content invalid' }],
      [200, { code: 0, data: { message_id: 'om_t2' } }],
    ]);
    expect(await adapter().send(to, card, { idempotencyKey: 'k2' })).toEqual({ messageId: 'om_t2' });
    expect(bodies.map((b) => b.msg_type)).toEqual(['interactive', 'text']);
  });

  it('only once: when the text is refused too, that error is thrown', async () => {
    const bodies = messagesApi([
      [400, { code: 230099, msg: 'card' }],
      [400, { code: 230002, msg: 'bot not in chat' }],
    ]);
    await expect(adapter().send(to, card, { idempotencyKey: 'k3' })).rejects.toMatchObject({
      errcode: 230002,
      retryable: false,
    });
    expect(bodies).toHaveLength(2);
  });

  it('no fallback for retryable errors (rate limit, 5xx) nor for a refused plain text', async () => {
    let bodies = messagesApi([[429, { code: 99991400, msg: 'limit' }]]);
    await expect(adapter().send(to, card, { idempotencyKey: 'k4' })).rejects.toMatchObject({
      retryable: true,
    });
    expect(bodies).toHaveLength(1);
    nock.cleanAll();
    bodies = messagesApi([[400, { code: 230002, msg: 'bot not in chat' }]]);
    await expect(adapter().send(to, { text: '您好' }, { idempotencyKey: 'k5' })).rejects.toMatchObject({
      errcode: 230002,
    });
    expect(bodies.map((b) => b.msg_type)).toEqual(['text']);
  });
});
