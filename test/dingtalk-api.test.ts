import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DingtalkApi } from '../adapters/dingtalk/api.ts';
import { retryAfterMs } from '../adapters/dingtalk/api-errors.ts';
import { ManualClock, PlatformApiError } from '../src/index.ts';

const API = 'https://api.dingtalk.com';
const T0 = Date.parse('2026-03-02T02:00:00Z');
const text = { msgKey: 'sampleText' as const, msgParam: '{"content":"hi"}' };

function make(clock = new ManualClock(T0)) {
  return {
    clock,
    api: new DingtalkApi({
      clientId: 'dingapp',
      clientSecret: 'sec',
      robotCode: 'dingapp',
      apiBase: API,
      clock,
    }),
  };
}

function tokenReply(token: string, expireIn = 7200) {
  return nock(API)
    .post('/v1.0/oauth2/accessToken', { appKey: 'dingapp', appSecret: 'sec' })
    .reply(200, { accessToken: token, expireIn });
}

async function caught(p: Promise<unknown>): Promise<PlatformApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PlatformApiError) return e;
    throw e;
  }
  throw new Error('expected a PlatformApiError');
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('access token', () => {
  it('ten concurrent callers share one fetch; later callers get the cached token', async () => {
    const { api } = make();
    tokenReply('tok-1');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => api.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(await api.accessToken()).toBe('tok-1');
    expect(api.tokenFetches).toBe(1);
  });

  it('is renewed 5 min before expireIn, not before', async () => {
    const { api, clock } = make();
    tokenReply('tok-1', 7200);
    await api.accessToken();
    clock.advance(7200_000 - 300_000 - 1);
    expect(await api.accessToken()).toBe('tok-1');
    clock.advance(1);
    tokenReply('tok-2', 7200);
    expect(await api.accessToken()).toBe('tok-2');
    expect(api.tokenFetches).toBe(2);
  });

  it('a failed fetch is not cached; bad credentials are permanent, a 503 is retryable', async () => {
    const { api } = make();
    nock(API)
      .post('/v1.0/oauth2/accessToken')
      .reply(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或clientSecret' });
    const e = await caught(api.accessToken());
    expect(e).toMatchObject({
      method: 'oauth2/accessToken',
      status: 400,
      errcode: 'invalidClientIdOrSecret',
      retryable: false,
    });
    nock(API).post('/v1.0/oauth2/accessToken').reply(503, 'busy');
    expect(await caught(api.accessToken())).toMatchObject({ status: 503, retryable: true });
    tokenReply('tok-ok');
    expect(await api.accessToken()).toBe('tok-ok');
  });
});

describe('robot sends', () => {
  it('batchSend carries robotCode, userIds, msgKey, msgParam and the token header', async () => {
    const { api } = make();
    tokenReply('tok-1');
    nock(API, { reqheaders: { 'x-acs-dingtalk-access-token': 'tok-1' } })
      .post('/v1.0/robot/oToMessages/batchSend', { robotCode: 'dingapp', userIds: ['lisi'], ...text })
      .reply(200, { processQueryKey: 'pqk-1', invalidStaffIdList: [], flowControlledStaffIdList: [] });
    expect(await api.sendToUser('lisi', text)).toEqual({ processQueryKey: 'pqk-1' });
  });

  it('groupMessages/send goes to the openConversationId', async () => {
    const { api } = make();
    tokenReply('tok-1');
    nock(API)
      .post('/v1.0/robot/groupMessages/send', {
        robotCode: 'dingapp',
        openConversationId: 'cid123==',
        ...text,
      })
      .reply(200, { processQueryKey: 'pqk-g' });
    expect(await api.sendToGroup('cid123==', text)).toEqual({ processQueryKey: 'pqk-g' });
  });

  it('a refused token (HTTP 401) is dropped, refetched once and the send retried once', async () => {
    const { api } = make();
    tokenReply('old');
    await api.accessToken();
    nock(API, { reqheaders: { 'x-acs-dingtalk-access-token': 'old' } })
      .post('/v1.0/robot/oToMessages/batchSend')
      .times(10)
      .reply(401, { code: 'InvalidAuthentication', message: '不合法的access_token' });
    tokenReply('new');
    nock(API, { reqheaders: { 'x-acs-dingtalk-access-token': 'new' } })
      .post('/v1.0/robot/oToMessages/batchSend')
      .times(10)
      .reply(200, { processQueryKey: 'ok' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.sendToUser(`u${i}`, text)));
    expect(results.every((r) => r.processQueryKey === 'ok')).toBe(true);
    expect(api.tokenFetches).toBe(2);
  });

  it('a token refused twice fails the send once, marked tokenInvalid and not retryable', async () => {
    const { api } = make();
    tokenReply('a');
    tokenReply('b');
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .times(2)
      .reply(401, { code: 'InvalidAuthentication' });
    const e = await caught(api.sendToUser('lisi', text));
    expect(e).toMatchObject({ tokenInvalid: true, retryable: false, status: 401, platform: 'dingtalk' });
    expect(api.tokenFetches).toBe(2);
  });

  it('classifies failures: 429 with Retry-After, 5xx, network, throttling code, bad request', async () => {
    const { api } = make();
    tokenReply('t');
    await api.accessToken();
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .reply(429, { code: 'Throttling' }, { 'Retry-After': '3' });
    expect(await caught(api.sendToUser('u', text))).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
    });
    nock(API).post('/v1.0/robot/oToMessages/batchSend').reply(429, {});
    const noHeader = await caught(api.sendToUser('u', text));
    expect(noHeader).toMatchObject({ retryable: true });
    expect(noHeader.retryAfterMs).toBeUndefined();
    nock(API).post('/v1.0/robot/oToMessages/batchSend').reply(502, 'bad gateway');
    expect(await caught(api.sendToUser('u', text))).toMatchObject({ status: 502, retryable: true });
    nock(API).post('/v1.0/robot/oToMessages/batchSend').replyWithError('ECONNRESET');
    expect(await caught(api.sendToUser('u', text))).toMatchObject({ retryable: true, status: undefined });
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .reply(403, { code: 'Forbidden.AccessDenied.QpsLimitForApi' });
    expect(await caught(api.sendToUser('u', text))).toMatchObject({ retryable: true });
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .reply(400, { code: 'invalidParameter.robotCode', message: 'robotCode 不存在' });
    expect(await caught(api.sendToUser('u', text))).toMatchObject({
      retryable: false,
      tokenInvalid: false,
      errcode: 'invalidParameter.robotCode',
    });
  });

  it('an invalid staff id is permanent; a flow-controlled one is retryable', async () => {
    const { api } = make();
    tokenReply('t');
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .reply(200, { processQueryKey: 'k', invalidStaffIdList: ['ghost'] });
    expect(await caught(api.sendToUser('ghost', text))).toMatchObject({
      errcode: 'invalidStaffId',
      retryable: false,
    });
    nock(API)
      .post('/v1.0/robot/oToMessages/batchSend')
      .reply(200, { processQueryKey: 'k', flowControlledStaffIdList: ['busy'] });
    expect(await caught(api.sendToUser('busy', text))).toMatchObject({
      errcode: 'flowControlled',
      retryable: true,
    });
  });

  it('sessionWebhook: errcode 130101 is retryable after ~60 s; other errcodes are permanent', async () => {
    const { api } = make();
    const hook = 'https://oapi.dingtalk.com/robot/sendBySession?session=s1';
    nock('https://oapi.dingtalk.com')
      .post('/robot/sendBySession')
      .query({ session: 's1' })
      .reply(200, { errcode: 130101, errmsg: 'send too fast' });
    expect(
      await caught(api.postSessionWebhook(hook, { msgtype: 'text', text: { content: 'x' } })),
    ).toMatchObject({
      errcode: 130101,
      retryable: true,
      retryAfterMs: 60_000,
    });
    nock('https://oapi.dingtalk.com')
      .post('/robot/sendBySession')
      .query({ session: 's1' })
      .reply(200, { errcode: 300001, errmsg: 'session 无效' });
    expect(
      await caught(api.postSessionWebhook(hook, { msgtype: 'text', text: { content: 'x' } })),
    ).toMatchObject({
      errcode: 300001,
      retryable: false,
    });
    expect(api.tokenFetches).toBe(0);
  });
});

describe('retryAfterMs', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('0.5', 0)).toBe(500);
    expect(retryAfterMs(new Date(T0 + 7000).toUTCString(), T0)).toBe(7000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});
