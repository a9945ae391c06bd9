import { type Clock, PlatformApiError, systemClock } from '../../src/index.ts';
import type { FeishuMessageBody } from './encode.ts';

/** Codes meaning the tenant_access_token is invalid or expired. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668, 99991664]);
/** Rate-limit code (HTTP 429, old APIs 400). */
const RATE_LIMITED = 99991400;
/** Refresh this long before the token's expiry (the SDK uses 3 min; we go earlier). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Default per-request timeout in ms (headers and body); a timeout is a retryable error. */
export const FEISHU_TIMEOUT_MS = 10_000;

/** Tuning of a {@link FeishuApi}. */
export interface FeishuApiOptions {
  /** Per-request timeout in ms, headers and body (default {@link FEISHU_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * Feishu/Lark OpenAPI client: `tenant_access_token` cache with one refresh at a time, and
 * `im/v1/messages` sends mapped to {@link PlatformApiError}. Every request is cut after
 * `timeoutMs` (`AbortSignal.timeout`) and then fails as a retryable error, so a platform that
 * never answers does not hold a send (and the lane behind it) for minutes.
 * @see https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
 * @see https://open.feishu.cn/document/server-docs/im-v1/message/create
 * @see https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control
 */
export class FeishuApi {
  private token?: { value: string; refreshAt: number };
  private inflight?: Promise<string>;

  private readonly timeoutMs: number;

  constructor(
    private readonly cfg: { appId: string; appSecret: string; apiBase: string },
    private readonly clock: Clock = systemClock,
    opts: FeishuApiOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? FEISHU_TIMEOUT_MS;
  }

  /** A valid token; fetched at most once at a time, replaced {@link TOKEN_REFRESH_MARGIN_MS} before expiry. */
  async tenantAccessToken(): Promise<string> {
    if (this.token && this.clock.now() < this.token.refreshAt) return this.token.value;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    const method = 'auth/v3/tenant_access_token/internal';
    const json = await this.call(method, `${this.cfg.apiBase}/open-apis/${method}`, {
      app_id: this.cfg.appId,
      app_secret: this.cfg.appSecret,
    });
    const value = String(json.tenant_access_token ?? '');
    const expireS = Number(json.expire ?? 7200);
    if (!value)
      throw new PlatformApiError({ platform: 'feishu', method, message: 'no tenant_access_token in answer' });
    this.token = { value, refreshAt: this.clock.now() + expireS * 1000 - TOKEN_REFRESH_MARGIN_MS };
    return value;
  }

  /** Forgets the cached token (after an invalid-token answer). */
  dropToken(): void {
    this.token = undefined;
  }

  /**
   * Sends one message to `open_id` or `chat_id`. On an invalid-token code the token is refetched
   * once and the send retried once.
   * @throws {PlatformApiError} platform `feishu`, `errcode` = Feishu `code`.
   */
  async sendMessage(
    receive: { type: 'open_id' | 'chat_id'; id: string },
    body: FeishuMessageBody,
    uuid?: string,
  ): Promise<string> {
    const url = `${this.cfg.apiBase}/open-apis/im/v1/messages?receive_id_type=${receive.type}`;
    const payload = { receive_id: receive.id, ...body, ...(uuid ? { uuid: uuid.slice(0, 50) } : {}) };
    const json = await this.withToken((token) => this.call('im/v1/messages', url, payload, token));
    return String((json.data as { message_id?: string } | undefined)?.message_id ?? '');
  }

  /**
   * The bot's own open_id, from `GET /open-apis/bot/v3/info` (`{code: 0, bot: {open_id}}`).
   * Not cached here.
   * @throws {PlatformApiError} platform `feishu`, method `bot/v3/info`; also when the answer has
   *   no `bot.open_id`.
   * @see https://open.feishu.cn/document/client-docs/bot-v3/obtain-bot-info
   */
  async botOpenId(): Promise<string> {
    const method = 'bot/v3/info';
    const json = await this.withToken((token) =>
      this.call(method, `${this.cfg.apiBase}/open-apis/${method}`, undefined, token),
    );
    const openId = (json.bot as { open_id?: unknown } | undefined)?.open_id;
    if (typeof openId !== 'string' || !openId)
      throw new PlatformApiError({ platform: 'feishu', method, message: 'no bot.open_id in answer' });
    return openId;
  }

  /** Runs `fn` with a token; on an invalid-token answer refetches the token once and reruns. */
  private async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tenantAccessToken();
      try {
        return await fn(token);
      } catch (e) {
        if (e instanceof PlatformApiError && e.tokenInvalid && attempt === 0) {
          this.dropToken();
          continue;
        }
        throw e;
      }
    }
  }

  /** One request: a JSON `body` is POSTed, no body is a GET. */
  private async call(
    method: string,
    url: string,
    body: unknown,
    token?: string,
  ): Promise<Record<string, unknown>> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read under the same deadline: a stalled body is a timeout too.
      text = await res.text();
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      throw new PlatformApiError({
        platform: 'feishu',
        method,
        message: timedOut ? `timeout after ${this.timeoutMs} ms` : `network: ${(e as Error).message}`,
        retryable: true,
        cause: e,
      });
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // A 200 that is not JSON comes from a proxy or an outage page, not from the API.
      if (res.ok)
        throw new PlatformApiError({
          platform: 'feishu',
          method,
          status: res.status,
          message: 'reply is not JSON',
          retryable: true,
        });
      json = {};
    }
    const code = Number(json.code ?? (res.ok ? 0 : -1));
    const reset = Number(res.headers.get('x-ogw-ratelimit-reset'));
    if (res.status === 429 || code === RATE_LIMITED)
      throw new PlatformApiError({
        platform: 'feishu',
        method,
        status: res.status,
        errcode: code,
        message: String(json.msg ?? 'rate limited'),
        retryable: true,
        retryAfterMs:
          Number.isFinite(reset) && res.headers.get('x-ogw-ratelimit-reset') !== null
            ? reset * 1000
            : undefined,
      });
    if (res.status >= 500)
      throw new PlatformApiError({
        platform: 'feishu',
        method,
        status: res.status,
        errcode: code,
        message: String(json.msg ?? 'server error'),
        retryable: true,
      });
    if (code !== 0)
      throw new PlatformApiError({
        platform: 'feishu',
        method,
        status: res.status,
        errcode: code,
        message: String(json.msg ?? 'error'),
        tokenInvalid: TOKEN_CODES.has(code),
      });
    return json;
  }
}
