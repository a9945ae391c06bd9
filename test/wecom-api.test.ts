import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WecomApi } from '../adapters/wecom/api.ts';
import type { WecomTextBody } from '../adapters/wecom/encode.ts';
import { ManualClock, PlatformApiError } from '../src/index.ts';

const BASE = 'https://qyapi.wecom.test';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const body: WecomTextBody = {
  touser: 'zhangsan',
  msgtype: 'text',
  agentid: 1000002,
  text: { content: '你好' },
};

let clock: ManualClock;
let api: WecomApi;

/** gettoken answering tokens tk1, tk2, … and counting calls. */
function tokenServer(times = 1) {
  let n = 0;
  const scope = nock(BASE)
    .get('/cgi-bin/gettoken')
    .query({ corpid: 'ww-corp', corpsecret: 's3cret' })
    .times(times)
    .reply(200, () => ({ errcode: 0, errmsg: 'ok', access_token: `tk${++n}`, expires_in: 7200 }));
  return { scope, calls: () => n };
}

/** message/send answering per token; records the token of each call. */
function sendServer(times: number, reply: (token: string) => object) {
  const tokens: string[] = [];
  const scope = nock(BASE)
    .post('/cgi-bin/message/send', (b) => b.touser === 'zhangsan')
    .query(true)
    .times(times)
    .reply(200, function () {
      const token = new URL(this.req.path, BASE).searchParams.get('access_token') ?? '';
      tokens.push(token);
      return reply(token);
    });
  return { scope, tokens };
}

async function thrown(p: Promise<unknown>): Promise<PlatformApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformApiError);
    return e as PlatformApiError;
  }
  throw new Error('expected a PlatformApiError');
}

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  clock = new ManualClock(T0);
  api = new WecomApi({ corpId: 'ww-corp', secret: 's3cret', apiBase: BASE, clock });
});
afterEach(() => nock.cleanAll());

describe('WecomApi access_token', () => {
  it('caches the token until expires_in minus 5 minutes, then fetches a new one', async () => {
    const tok = tokenServer(2);
    expect(await api.accessToken()).toBe('tk1');
    clock.advance((7200 - 301) * 1000);
    expect(await api.accessToken()).toBe('tk1');
    clock.advance(2000); // now 299 s before WeCom's expiry: inside the margin
    expect(await api.accessToken()).toBe('tk2');
    expect(tok.calls()).toBe(2);
  });

  it('refreshes an expired token once for 10 sends starting at once', async () => {
    const tok = tokenServer(2);
    await api.accessToken();
    clock.advance(2 * 3600_000);
    const send = sendServer(10, () => ({ errcode: 0, errmsg: 'ok', msgid: 'm' }));
    await Promise.all(Array.from({ length: 10 }, () => api.sendMessage(body)));
    expect(tok.calls()).toBe(2); // the first fetch + exactly one refresh
    expect(send.tokens).toEqual(Array(10).fill('tk2'));
  });

  it('surfaces a gettoken refusal as a non-retryable PlatformApiError', async () => {
    nock(BASE).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 40001, errmsg: 'invalid secret' });
    const e = await thrown(api.accessToken());
    expect(e).toMatchObject({ platform: 'wecom', method: 'gettoken', errcode: 40001, retryable: false });
    expect(e.message).not.toContain('s3cret');
  });
});

describe('WecomApi.sendMessage', () => {
  it('posts the body with the token and returns msgid', async () => {
    tokenServer();
    let posted: unknown;
    nock(BASE)
      .post('/cgi-bin/message/send', (b) => {
        posted = b;
        return true;
      })
      .query({ access_token: 'tk1' })
      .reply(200, { errcode: 0, errmsg: 'ok', msgid: 'MSGID1' });
    expect(await api.sendMessage(body)).toMatchObject({ msgid: 'MSGID1' });
    expect(posted).toEqual(body);
  });

  for (const code of [42001, 40014, 42009]) {
    it(`on ${code} drops the token, refetches once and retries once`, async () => {
      const tok = tokenServer(2);
      const send = sendServer(2, (t) =>
        t === 'tk1' ? { errcode: code, errmsg: 'token bad' } : { errcode: 0, msgid: 'ok' },
      );
      expect(await api.sendMessage(body)).toMatchObject({ msgid: 'ok' });
      expect(tok.calls()).toBe(2);
      expect(send.tokens).toEqual(['tk1', 'tk2']);
    });
  }

  it('ten sends refused with the same stale token share one refetch', async () => {
    const tok = tokenServer(2);
    const send = sendServer(20, (t) =>
      t === 'tk1' ? { errcode: 42001, errmsg: 'expired' } : { errcode: 0 },
    );
    await Promise.all(Array.from({ length: 10 }, () => api.sendMessage(body)));
    expect(tok.calls()).toBe(2);
    expect(send.tokens.filter((t) => t === 'tk2')).toHaveLength(10);
  });

  it('a late refusal of the old token does not throw away the token fetched meanwhile', async () => {
    const tok = tokenServer(3);
    await api.accessToken();
    // Hold the two first answers (both to tk1) so they can be released one after the other.
    const held: Array<() => void> = [];
    const tokens: string[] = [];
    nock(BASE)
      .post('/cgi-bin/message/send')
      .query(true)
      .times(4)
      .reply(function (_uri, _body, cb) {
        const token = new URL(this.req.path, BASE).searchParams.get('access_token') ?? '';
        tokens.push(token);
        const answer = token === 'tk1' ? { errcode: 42001, errmsg: 'expired' } : { errcode: 0, msgid: 'ok' };
        if (token === 'tk1') held.push(() => cb(null, [200, answer]));
        else cb(null, [200, answer]);
      });
    const a = api.sendMessage(body);
    const b = api.sendMessage(body);
    await vi.waitFor(() => expect(held).toHaveLength(2));
    held[0]();
    await a; // a: refused → refetch (tk2) → retried with tk2
    held[1](); // b: its refusal of tk1 arrives after tk2 is cached
    await b;
    expect(tok.calls()).toBe(2);
    expect(tokens).toEqual(['tk1', 'tk1', 'tk2', 'tk2']);
  });

  it('gives up after one retry: tokenInvalid when even the fresh token is refused', async () => {
    const tok = tokenServer(2);
    const send = sendServer(2, () => ({ errcode: 42001, errmsg: 'access_token expired' }));
    const e = await thrown(api.sendMessage(body));
    expect(e).toMatchObject({ method: 'message/send', errcode: 42001, tokenInvalid: true, retryable: false });
    expect(tok.calls()).toBe(2);
    expect(send.tokens).toHaveLength(2);
  });

  for (const code of [45009, 45033, -1]) {
    it(`marks errcode ${code} retryable`, async () => {
      tokenServer();
      sendServer(1, () => ({ errcode: code, errmsg: 'api freq out of limit' }));
      expect(await thrown(api.sendMessage(body))).toMatchObject({
        platform: 'wecom',
        errcode: code,
        retryable: true,
      });
    });
  }

  it('marks a permanent errcode (invalid user) not retryable', async () => {
    tokenServer();
    sendServer(1, () => ({ errcode: 81013, errmsg: 'user & party & tag all invalid' }));
    expect(await thrown(api.sendMessage(body))).toMatchObject({
      errcode: 81013,
      retryable: false,
      tokenInvalid: false,
    });
  });

  it('marks HTTP 5xx and network errors retryable, HTTP 4xx not', async () => {
    tokenServer();
    nock(BASE).post('/cgi-bin/message/send').query(true).reply(502, 'bad gateway');
    expect(await thrown(api.sendMessage(body))).toMatchObject({ status: 502, retryable: true });
    nock(BASE).post('/cgi-bin/message/send').query(true).replyWithError('ECONNRESET');
    expect(await thrown(api.sendMessage(body))).toMatchObject({ retryable: true });
    nock(BASE).post('/cgi-bin/message/send').query(true).reply(403, 'forbidden');
    expect(await thrown(api.sendMessage(body))).toMatchObject({ status: 403, retryable: false });
  });

  it('never puts the access_token into an error message', async () => {
    tokenServer();
    nock(BASE).post('/cgi-bin/message/send').query(true).replyWithError('connect ECONNREFUSED');
    const e = await thrown(api.sendMessage(body));
    expect(e.message).not.toContain('tk1');
  });
});
