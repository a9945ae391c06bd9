import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDingtalkAdapter, liveSessionWebhook } from '../adapters/dingtalk/adapter.ts';
import { parseButtonActionId } from '../adapters/dingtalk/encode.ts';
import { type Address, ManualClock, PlatformApiError } from '../src/index.ts';

const API = 'https://api.dingtalk.com';
const OAPI = 'https://oapi.dingtalk.com';
const T0 = Date.parse('2026-03-02T02:00:00Z');
const HOOK = `${OAPI}/robot/sendBySession?session=abc`;
const FAQ = '**密码重置**……详见[帮助中心](https://example.com/help)';
const choice = {
  text: '(1/12) 贵公司属于哪种类型？',
  buttons: [
    { label: '生产型', value: 'survey:q1:manufacturing' },
    { label: '商贸型', value: 'survey:q1:trade' },
  ],
};
const opts = { idempotencyKey: 'reply:dingtalk:msg1:0' };

function adapter(cardTemplateId?: string) {
  const clock = new ManualClock(T0);
  const a = createDingtalkAdapter(
    {
      dingtalk: {
        clientId: 'dingapp',
        clientSecret: 'sec',
        robotCode: 'dingapp',
        mode: 'stream',
        apiBase: API,
        oapiBase: OAPI,
        cardTemplateId,
      },
    },
    { clock },
  );
  return { a, clock };
}

const direct = (expiresAt?: number): Address => ({
  platform: 'dingtalk',
  userId: 'lisi',
  chatType: 'direct',
  ...(expiresAt ? { meta: { sessionWebhook: HOOK, sessionWebhookExpiredTime: String(expiresAt) } } : {}),
});
const group = (expiresAt?: number): Address => ({
  platform: 'dingtalk',
  chatId: 'cidGroup1==',
  chatType: 'group',
  userId: 'lisi',
  ...(expiresAt ? { meta: { sessionWebhook: HOOK, sessionWebhookExpiredTime: String(expiresAt) } } : {}),
});

const token = () =>
  nock(API).post('/v1.0/oauth2/accessToken').reply(200, { accessToken: 'tok', expireIn: 7200 });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('sessionWebhook vs robot API', () => {
  it('uses a valid sessionWebhook (no token call) and keeps markdown unchanged', async () => {
    const { a } = adapter();
    let body: unknown;
    nock(OAPI)
      .post('/robot/sendBySession', (b) => {
        body = b;
        return true;
      })
      .query({ session: 'abc' })
      .reply(200, { errcode: 0, errmsg: 'ok' });
    await a.send(direct(T0 + 90 * 60_000), { text: FAQ }, opts);
    expect(body).toEqual({ msgtype: 'markdown', markdown: { title: '密码重置……详见帮助中心', text: FAQ } });
    expect(a.api?.tokenFetches).toBe(0);
  });

  it('an expired (or nearly expired) sessionWebhook is skipped: 1:1 via oToMessages/batchSend', async () => {
    const { a } = adapter();
    token();
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend', {
        robotCode: 'dingapp',
        userIds: ['lisi'],
        msgKey: 'sampleText',
        msgParam: JSON.stringify({ content: '您好' }),
      })
      .reply(200, { processQueryKey: 'pqk' });
    expect(await a.send(direct(T0 + 30_000), { text: '您好' }, opts)).toEqual({ messageId: 'pqk' });
  });

  it('a group without a live sessionWebhook goes via groupMessages/send', async () => {
    const { a } = adapter();
    token();
    nock(API)
      .post(
        '/v1.0/robot/groupMessages/send',
        (b) => b.openConversationId === 'cidGroup1==' && b.msgKey === 'sampleMarkdown',
      )
      .reply(200, { processQueryKey: 'g1' });
    await a.send(group(T0 - 1), { text: FAQ }, opts);
  });

  it('a group with a live sessionWebhook answers through it', async () => {
    const { a } = adapter();
    nock(OAPI).post('/robot/sendBySession').query(true).reply(200, { errcode: 0 });
    await a.send(group(T0 + 3_600_000), { text: '好的' }, opts);
  });

  it('a refused sessionWebhook falls back to the robot API; a retryable failure does not', async () => {
    const { a } = adapter();
    nock(OAPI)
      .post('/robot/sendBySession')
      .query(true)
      .reply(200, { errcode: 300001, errmsg: 'session 过期' });
    token();
    nock(API).post('/v1.0/robot/oToMessages/batchSend').reply(200, { processQueryKey: 'fallback' });
    expect(await a.send(direct(T0 + 3_600_000), { text: '您好' }, opts)).toEqual({ messageId: 'fallback' });

    nock(OAPI).post('/robot/sendBySession').query(true).reply(503, 'busy');
    await expect(a.send(direct(T0 + 3_600_000), { text: '您好' }, opts)).rejects.toMatchObject({
      retryable: true,
      status: 503,
    });
  });

  it('pushes to a user key (no meta) go through batchSend', async () => {
    const { a } = adapter();
    token();
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend', (b) => b.userIds[0] === 'wangwu')
      .reply(200, {});
    await a.send({ platform: 'dingtalk', userId: 'wangwu', chatType: 'direct' }, { text: '今日微课' }, opts);
  });
});

describe('choices: card vs numbered text', () => {
  it('with a card template: interactive card via the robot API even when a sessionWebhook is valid', async () => {
    const { a } = adapter('StandardCard');
    token();
    let body: Record<string, string> = {};
    nock(API)
      .post('/v1.0/im/v1.0/robot/interactiveCards/send', (b) => {
        body = b;
        return true;
      })
      .reply(200, { processQueryKey: 'card' });
    const r = await a.send(direct(T0 + 3_600_000), choice, opts);
    expect(body.cardTemplateId).toBe('StandardCard');
    expect(body.robotCode).toBe('dingapp');
    expect(JSON.parse(body.singleChatReceiver)).toEqual({ userId: 'lisi' });
    expect(body.openConversationId).toBeUndefined();
    expect(body.cardBizId).toMatch(/^rb[0-9a-f]{32}$/);
    expect(r.messageId).toBe(body.cardBizId);
    const card = JSON.parse(body.cardData);
    expect(card.contents[1].actions.map((x: { id: string }) => parseButtonActionId(x.id))).toEqual([
      'survey:q1:manufacturing',
      'survey:q1:trade',
    ]);
  });

  it('a retried card keeps its cardBizId; a group card goes to the openConversationId', async () => {
    const { a } = adapter('StandardCard');
    token();
    const ids: string[] = [];
    nock(API)
      .post('/v1.0/im/v1.0/robot/interactiveCards/send', (b) => {
        ids.push(b.cardBizId);
        return b.openConversationId === 'cidGroup1==' && b.singleChatReceiver === undefined;
      })
      .times(2)
      .reply(200, {});
    await a.send(group(), choice, opts);
    await a.send(group(), choice, opts);
    expect(ids[0]).toBe(ids[1]);
  });

  it('without a card template: numbered text with the hint, through the sessionWebhook', async () => {
    const { a } = adapter();
    let body: unknown;
    nock(OAPI)
      .post('/robot/sendBySession', (b) => {
        body = b;
        return true;
      })
      .query(true)
      .reply(200, { errcode: 0 });
    await a.send(direct(T0 + 3_600_000), choice, opts);
    expect(body).toEqual({
      msgtype: 'text',
      text: { content: '(1/12) 贵公司属于哪种类型？\n1. 生产型  2. 商贸型\n回复数字或选项名称' },
    });
  });
});

describe('HTTP mode', () => {
  it('ignores the card template (clicks could not come back) and sends numbered text', async () => {
    const a = createDingtalkAdapter(
      {
        dingtalk: {
          clientId: 'dingapp',
          clientSecret: 'sec',
          robotCode: 'dingapp',
          mode: 'http',
          apiBase: API,
          oapiBase: OAPI,
          cardTemplateId: 'StandardCard',
        },
      },
      { clock: new ManualClock(T0) },
    );
    token();
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend', (b) =>
        JSON.parse(b.msgParam).content.endsWith('回复数字或选项名称'),
      )
      .reply(200, {});
    await a.send(direct(), choice, opts);
  });
});

describe('addresses', () => {
  it('an address with neither user nor chat is a permanent error', async () => {
    const { a } = adapter();
    await expect(a.send({ platform: 'dingtalk' }, { text: 'x' }, opts)).rejects.toBeInstanceOf(
      PlatformApiError,
    );
  });

  it('a group-robot address without a configured robot is a permanent error', async () => {
    const { a } = adapter();
    await expect(
      a.send({ platform: 'dingtalk', chatId: 'robot:abc', meta: { robot: 'abc' } }, { text: 'x' }, opts),
    ).rejects.toMatchObject({ retryable: false, method: 'robot/send' });
  });

  it('liveSessionWebhook honours the margin and needs an expiry', () => {
    expect(liveSessionWebhook(direct(T0 + 60_001), T0, 60_000)).toBe(HOOK);
    expect(liveSessionWebhook(direct(T0 + 60_000), T0, 60_000)).toBeUndefined();
    expect(
      liveSessionWebhook({ platform: 'dingtalk', userId: 'x', meta: { sessionWebhook: HOOK } }, T0, 0),
    ).toBeUndefined();
  });

  it('Stream mode has start and no webhook route; HTTP mode mounts and does not start', () => {
    const { a } = adapter();
    expect(typeof a.start).toBe('function');
    expect(a.mount).toBeUndefined();
    const h = createDingtalkAdapter({
      dingtalk: {
        clientId: 'x',
        clientSecret: 'y',
        robotCode: 'x',
        mode: 'http',
        apiBase: API,
        oapiBase: OAPI,
      },
    });
    expect(typeof h.mount).toBe('function');
    expect(h.start).toBeUndefined();
  });
});
