import { type Clock, PlatformApiError, systemClock } from '../../src/index.ts';
import type { FeishuMessageBody } from './encode.ts';

/** Codes meaning the tenant_access_token is invalid or expired. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668, 99991664]);
/** Rate-limit code (HTTP 429, old APIs 400). */
const RATE_LIMITED = 99991400;
/** Refresh this long before the token's expiry (the SDK uses 3 min; we go earlier). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Feishu/Lark OpenAPI client: `tenant_access_token` cache with one refresh at a time, and
 * `im/v1/messages` sends mapped to {@link PlatformApiError}.
 * @see https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
 * @see https://open.feishu.cn/document/server-docs/im-v1/message/create
 * @see https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control
 */
export class FeishuApi {
  private token?: { value: string; refreshAt: number };
  private inflight?: Promise<string>;

  constructor(
    private readonly cfg: { appId: string; appSecret: string; apiBase: string },
    private readonly clock: Clock = systemClock,
  ) {}

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
    for (let attempt = 0; ; attempt++) {
      const token = await this.tenantAccessToken();
      try {
        const json = await this.call('im/v1/messages', url, payload, token);
        return String((json.data as { message_id?: string } | undefined)?.message_id ?? '');
      } catch (e) {
        if (e instanceof PlatformApiError && e.tokenInvalid && attempt === 0) {
          this.dropToken();
          continue;
        }
        throw e;
      }
    }
  }

  private async call(
    method: string,
    url: string,
    body: unknown,
    token?: string,
  ): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new PlatformApiError({
        platform: 'feishu',
        method,
        message: `network: ${(e as Error).message}`,
        retryable: true,
        cause: e,
      });
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
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
