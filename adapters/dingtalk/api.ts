import type { Clock, Logger } from '../../src/index.ts';
import { PlatformApiError, silentLogger, systemClock, TokenCache } from '../../src/index.ts';
import { networkError, replyError } from './api-errors.ts';
import type { RobotMsg, WebhookMsg } from './encode.ts';

/**
 * DingTalk OpenAPI client for an app robot: access token cache, robot send APIs,
 * `sessionWebhook` posts.
 *
 * - Token: `POST /v1.0/oauth2/accessToken {appKey, appSecret}` → `{accessToken, expireIn}` (s);
 *   kept until `expireIn` minus a margin (default 5 min, as the official Python SDK does);
 *   concurrent callers share one refresh in flight. Sent as header `x-acs-dingtalk-access-token`.
 * - A call refused for its token (HTTP 401, `InvalidAuthentication`, 40014/42001) drops the
 *   token, fetches a new one once and retries once.
 * - Failures throw {@link PlatformApiError} (platform `dingtalk`), see `api-errors.ts`.
 * @see https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
 * @see https://github.com/open-dingtalk/dingtalk-stream-sdk-python/blob/main/dingtalk_stream/stream.py
 */

/** Credentials, origin and tuning of a {@link DingtalkApi}. */
export interface DingtalkApiOptions {
  /** AppKey (`DINGTALK_CLIENT_ID`). */
  clientId: string;
  /** AppSecret (`DINGTALK_CLIENT_SECRET`). */
  clientSecret: string;
  /** The robot's code (`DINGTALK_ROBOT_CODE`; internal apps: the AppKey). */
  robotCode: string;
  /** OpenAPI origin (`DINGTALK_API_BASE`, default https://api.dingtalk.com), no trailing slash. */
  apiBase: string;
  clock?: Clock;
  log?: Logger;
  /** Renew the token this many ms before it expires (default 5 min). */
  tokenMarginMs?: number;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** Interactive card target: a group (`openConversationId`) or one user (`userId`). */
export type CardTarget = { openConversationId: string } | { userId: string };

/** Token cache and robot send calls of one DingTalk app (see the module comment above). */
export class DingtalkApi {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeout: number;
  private readonly tokens: TokenCache;
  /** How many token fetches were made (metrics, tests). */
  get tokenFetches(): number {
    return this.tokens.fetches;
  }

  constructor(private readonly opts: DingtalkApiOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.tokens = new TokenCache(() => this.fetchToken(), this.clock, opts.tokenMarginMs ?? 5 * 60_000);
    this.timeout = opts.timeoutMs ?? 10_000;
  }

  /**
   * A valid access token: the cached one until its renewal time (ms UTC, from the clock), else a
   * fresh one; callers arriving during a refresh share it.
   * @throws {PlatformApiError} method `oauth2/accessToken`.
   */
  accessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** Drops `token` if it is still the cached one (a newer token is kept). */
  invalidate(token: string): void {
    this.tokens.invalidate(token);
  }

  /**
   * Robot 1:1 message (`POST /v1.0/robot/oToMessages/batchSend`) to one user.
   * @throws {PlatformApiError} also when DingTalk lists the user as invalid (`invalidStaffId`,
   *   permanent) or flow-controlled (`flowControlled`, retryable).
   * @see https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
   */
  async sendToUser(userId: string, msg: RobotMsg): Promise<{ processQueryKey?: string }> {
    const method = 'robot/oToMessages/batchSend';
    const r = (await this.openapi(method, '/v1.0/robot/oToMessages/batchSend', {
      robotCode: this.opts.robotCode,
      userIds: [userId],
      ...msg,
    })) as { processQueryKey?: string; invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] };
    if (r?.invalidStaffIdList?.includes(userId))
      throw new PlatformApiError({
        platform: 'dingtalk',
        method,
        errcode: 'invalidStaffId',
        message: `not a userId of this org: ${userId}`,
      });
    if (r?.flowControlledStaffIdList?.includes(userId))
      throw new PlatformApiError({
        platform: 'dingtalk',
        method,
        errcode: 'flowControlled',
        message: 'user is flow-controlled',
        retryable: true,
      });
    return { processQueryKey: r?.processQueryKey };
  }

  /**
   * Robot group message (`POST /v1.0/robot/groupMessages/send`).
   * @param openConversationId the group (`conversationId` of its messages, `cid…`)
   * @see https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
   */
  async sendToGroup(openConversationId: string, msg: RobotMsg): Promise<{ processQueryKey?: string }> {
    const r = (await this.openapi('robot/groupMessages/send', '/v1.0/robot/groupMessages/send', {
      robotCode: this.opts.robotCode,
      openConversationId,
      ...msg,
    })) as { processQueryKey?: string };
    return { processQueryKey: r?.processQueryKey };
  }

  /**
   * Interactive card (`POST /v1.0/im/v1.0/robot/interactiveCards/send`); never through a
   * `sessionWebhook`, which cannot carry cards.
   * @param card `cardTemplateId`, `cardBizId` (stable per message), `cardData` (JSON string)
   * @see https://open.dingtalk.com/document/orgapp/robots-send-interactive-cards
   */
  async sendCard(
    target: CardTarget,
    card: { cardTemplateId: string; cardBizId: string; cardData: string },
  ): Promise<void> {
    await this.openapi('robot/interactiveCards/send', '/v1.0/im/v1.0/robot/interactiveCards/send', {
      ...card,
      robotCode: this.opts.robotCode,
      ...('userId' in target
        ? { singleChatReceiver: JSON.stringify({ userId: target.userId }) }
        : { openConversationId: target.openConversationId }),
    });
  }

  /**
   * Posts to a `sessionWebhook` (no token: the URL is the credential).
   * @throws {PlatformApiError} method `sessionWebhook`; a non-zero `errcode` (e.g. an expired
   *   session) is not retryable, so the caller can fall back to the robot APIs.
   */
  async postSessionWebhook(url: string, body: WebhookMsg): Promise<void> {
    await this.request('sessionWebhook', url, body);
  }

  /** One OpenAPI call with the token; on a refused token: refetch once, retry once. */
  private async openapi(method: string, path: string, body: unknown): Promise<unknown> {
    const token = await this.accessToken();
    try {
      return await this.request(method, `${this.opts.apiBase}${path}`, body, token);
    } catch (e) {
      if (!(e instanceof PlatformApiError) || !e.tokenInvalid) throw e;
      this.log.info('dingtalk token refused, refetching once', {
        method,
        errcode: e.errcode,
        status: e.status,
      });
      this.invalidate(token);
      return this.request(method, `${this.opts.apiBase}${path}`, body, await this.accessToken());
    }
  }

  private async fetchToken(): Promise<{ token: string; ttlMs: number }> {
    const method = 'oauth2/accessToken';
    const r = (await this.request(method, `${this.opts.apiBase}/v1.0/oauth2/accessToken`, {
      appKey: this.opts.clientId,
      appSecret: this.opts.clientSecret,
    })) as { accessToken?: unknown; expireIn?: unknown };
    if (typeof r?.accessToken !== 'string' || !r.accessToken)
      throw new PlatformApiError({
        platform: 'dingtalk',
        method,
        message: 'no accessToken in reply',
        retryable: true,
      });
    const ttlMs = (typeof r.expireIn === 'number' && r.expireIn > 0 ? r.expireIn : 7200) * 1000;
    return { token: r.accessToken, ttlMs };
  }

  /** One JSON POST; the URL (a sessionWebhook holds a secret) never goes into errors or logs. */
  private async request(method: string, url: string, body: unknown, token?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          ...(token ? { 'x-acs-dingtalk-access-token': token } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeout),
      });
    } catch (cause) {
      throw networkError(method, cause);
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const err = replyError(method, res.status, parsed, res.headers.get('retry-after'), this.clock.now());
    if (err) throw err;
    return parsed;
  }
}
