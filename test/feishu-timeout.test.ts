import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEISHU_TIMEOUT_MS, FeishuApi } from '../adapters/feishu/api.ts';
import { PlatformApiError } from '../src/core/errors.ts';

const BASE = 'https://fs-timeout.test';
const text = { msg_type: 'text' as const, content: '{"text":"您好"}' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('feishu API timeout', () => {
  it('defaults to 10 s', () => {
    expect(FEISHU_TIMEOUT_MS).toBe(10_000);
  });

  it('a send that gets no answer fails fast as a retryable PlatformApiError', async () => {
    const api = new FeishuApi({ appId: 'a', appSecret: 's', apiBase: BASE }, undefined, { timeoutMs: 50 });
    nock(BASE)
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 0, tenant_access_token: 't', expire: 7200 });
    nock(BASE)
      .post(/\/open-apis\/im\/v1\/messages/)
      .delay(5_000)
      .reply(200, { code: 0, data: { message_id: 'om' } });
    const started = Date.now();
    const err = await api.sendMessage({ type: 'open_id', id: 'ou' }, text).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(PlatformApiError);
    expect(err).toMatchObject({
      platform: 'feishu',
      method: 'im/v1/messages',
      retryable: true,
      tokenInvalid: false,
    });
    expect((err as Error).message).toContain('timeout after 50 ms');
  });

  it('the token request is cut too', async () => {
    const api = new FeishuApi({ appId: 'a', appSecret: 's', apiBase: BASE }, undefined, { timeoutMs: 50 });
    nock(BASE)
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .delay(5_000)
      .reply(200, { code: 0, tenant_access_token: 't', expire: 7200 });
    await expect(api.tenantAccessToken()).rejects.toMatchObject({
      method: 'auth/v3/tenant_access_token/internal',
      retryable: true,
    });
  });

  it('a 200 whose body is not JSON is retryable, not a success', async () => {
    const api = new FeishuApi({ appId: 'a', appSecret: 's', apiBase: BASE }, undefined, { timeoutMs: 50 });
    nock(BASE)
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 0, tenant_access_token: 't', expire: 7200 });
    nock(BASE)
      .post(/\/open-apis\/im\/v1\/messages/)
      .reply(200, '<html>gateway</html>');
    await expect(api.sendMessage({ type: 'open_id', id: 'ou' }, text)).rejects.toMatchObject({
      retryable: true,
      status: 200,
    });
  });
});
