import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_TIMEOUT_MS, SlackApi } from '../adapters/slack/api.ts';
import { PlatformApiError } from '../src/core/errors.ts';

const API = 'https://slack-timeout.test/api';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('slack API timeout', () => {
  it('defaults to 10 s', () => {
    expect(SLACK_TIMEOUT_MS).toBe(10_000);
  });

  it('chat.postMessage with no answer fails fast as a retryable PlatformApiError', async () => {
    const api = new SlackApi(API, 'xoxb-1', { timeoutMs: 50 });
    nock('https://slack-timeout.test')
      .post('/api/chat.postMessage')
      .delay(5_000)
      .reply(200, { ok: true, ts: '1.2' });
    const started = Date.now();
    const err = await api.postMessage({ channel: 'C1', text: 'hi' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(PlatformApiError);
    expect(err).toMatchObject({ platform: 'slack', method: 'chat.postMessage', retryable: true });
    expect((err as Error).message).toContain('timeout after 50 ms');
  });

  it('an answer within the timeout still succeeds', async () => {
    const api = new SlackApi(API, 'xoxb-1', { timeoutMs: 2_000 });
    nock('https://slack-timeout.test')
      .post('/api/chat.postMessage')
      .delay(10)
      .reply(200, { ok: true, ts: '1.2' });
    expect(await api.postMessage({ channel: 'C1', text: 'hi' })).toBe('1.2');
  });
});
