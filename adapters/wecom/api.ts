import type { Clock, Logger } from '../../src/index.ts';
import { PlatformApiError, silentLogger, systemClock, TokenCache } from '../../src/index.ts';
import type { WecomSendBody } from './encode.ts';

/**
 * WeCom server API client for a self-built app: `access_token` cache and `message/send`.
 *
 * - The token comes from `gettoken` (valid `expires_in` = 7200 s) and is kept until `expires_in`
 *   minus a safety margin (default 5 min); concurrent callers share one refresh in flight.
 * - WeCom may invalidate a token early: on 40014 (invalid), 42001 (expired) or 42009 (token
 *   changed) the token is dropped, fetched once more and the call retried once.
 * - Failures throw {@link PlatformApiError} (platform `wecom`): `retryable` for network errors,
 *   timeouts, HTTP 429/5xx and the rate-limit/busy codes 45009, 45033 and -1; `tokenInvalid`
 *   when even a fresh token was refused.
 * @see https://developer.work.weixin.qq.com/document/path/91039 (gettoken, caching, early expiry)
 * @see https://developer.work.weixin.qq.com/document/path/90236 (message/send)
 * @see https://developer.work.weixin.qq.com/document/path/90313 (global error codes)
 */

/** errcodes meaning "this access_token is not (or no longer) valid". */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([40014, 42001, 42009]);
/** errcodes worth retrying later: 45009 api freq out of limit, 45033 concurrency, -1 system busy. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([45009, 45033, -1]);

export interface WecomApiOptions {
  corpId: string;
  /** The app's Secret (corpsecret). */
  secret: string;
  /** API origin, `WECOM_API_BASE` (default https://qyapi.weixin.qq.com); no trailing slash. */
  apiBase: string;
  clock?: Clock;
  log?: Logger;
  /** Token is renewed this many ms before WeCom says it expires (default 5 min). */
  tokenMarginMs?: number;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** What `message/send` answers on success. */
export interface SendMessageResult {
  msgid?: string;
  /** For cards: code to update the card once (72 h). */
  response_code?: string;
  invaliduser?: string;
}

interface ApiReply {
  errcode?: number;
  errmsg?: string;
  [k: string]: unknown;
}

export class WecomApi {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeout: number;
  private readonly tokens: TokenCache;
  /** How many token fetches were made (metrics, tests). */
  get tokenFetches(): number {
    return this.tokens.fetches;
  }

  constructor(private readonly opts: WecomApiOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.tokens = new TokenCache(() => this.fetchToken(), this.clock, opts.tokenMarginMs ?? 5 * 60_000);
    this.timeout = opts.timeoutMs ?? 10_000;
  }

  /**
   * A valid access_token: the cached one until its renewal time (ms UTC, from the clock), else a
   * fresh one; callers arriving during a refresh wait for that same refresh.
   * @throws {PlatformApiError} method `gettoken` when WeCom refuses or cannot be reached.
   */
  accessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** Drops `token` if it is still the cached one (a newer token is kept). */
  invalidate(token: string): void {
    this.tokens.invalidate(token);
  }

  /**
   * Sends one app message (`POST /cgi-bin/message/send`). On an invalid-token errcode the token is
   * refetched once and the message retried once.
   * @throws {PlatformApiError} method `message/send`, with `errcode`, `retryable`, `tokenInvalid`.
   */
  async sendMessage(body: WecomSendBody): Promise<SendMessageResult> {
    let token = await this.accessToken();
    let reply = await this.post('message/send', token, body);
    if (TOKEN_INVALID_CODES.has(reply.errcode ?? 0)) {
      this.log.info('wecom token refused, refetching once', { errcode: reply.errcode });
      this.invalidate(token);
      token = await this.accessToken();
      reply = await this.post('message/send', token, body);
    }
    if (reply.errcode) throw this.apiError('message/send', reply, 200);
    return {
      msgid: str(reply.msgid),
      response_code: str(reply.response_code),
      invaliduser: str(reply.invaliduser),
    };
  }

  private async fetchToken(): Promise<{ token: string; ttlMs: number }> {
    const url = `${this.opts.apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.opts.corpId)}&corpsecret=${encodeURIComponent(this.opts.secret)}`;
    const reply = await this.call('gettoken', url, { method: 'GET' });
    const token = reply.access_token;
    if (reply.errcode) throw this.apiError('gettoken', reply, 200);
    if (typeof token !== 'string' || !token)
      throw new PlatformApiError({
        platform: 'wecom',
        method: 'gettoken',
        status: 200,
        message: 'no access_token in reply',
      });
    const ttlMs = (typeof reply.expires_in === 'number' ? reply.expires_in : 7200) * 1000;
    return { token, ttlMs };
  }

  private post(method: string, token: string, body: unknown): Promise<ApiReply> {
    const url = `${this.opts.apiBase}/cgi-bin/${method}?access_token=${encodeURIComponent(token)}`;
    return this.call(method, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
  }

  /** One HTTP call; the URL (it holds secrets) never goes into errors or logs. */
  private async call(method: string, url: string, init: RequestInit): Promise<ApiReply> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeout) });
    } catch (cause) {
      throw new PlatformApiError({
        platform: 'wecom',
        method,
        message: `network error: ${describe(cause)}`,
        retryable: true,
        cause,
      });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new PlatformApiError({
        platform: 'wecom',
        method,
        status: res.status,
        message: `HTTP ${res.status}`,
        retryable: res.status >= 500 || res.status === 429,
      });
    }
    try {
      return JSON.parse(text) as ApiReply;
    } catch {
      // A 200 that is not JSON comes from a proxy or an outage page, not from the API.
      throw new PlatformApiError({
        platform: 'wecom',
        method,
        status: res.status,
        message: 'reply is not JSON',
        retryable: true,
      });
    }
  }

  private apiError(method: string, reply: ApiReply, status: number): PlatformApiError {
    const errcode = reply.errcode ?? -1;
    return new PlatformApiError({
      platform: 'wecom',
      method,
      status,
      errcode,
      message: reply.errmsg ?? 'no errmsg',
      retryable: RETRYABLE_CODES.has(errcode),
      tokenInvalid: TOKEN_INVALID_CODES.has(errcode),
    });
  }
}

/** `fetch failed (ECONNREFUSED)`, `The operation was aborted due to timeout`, … — never the URL. */
function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string } } | undefined;
  const code = err?.cause?.code;
  return `${err?.message ?? String(e)}${code ? ` (${code})` : ''}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}
