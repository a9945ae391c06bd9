import { createHash } from 'node:crypto';
import type { Address, Clock, Logger, OutgoingMessage, SendResult } from '../../src/index.ts';
import { ConfigError, PlatformApiError, silentLogger, systemClock } from '../../src/index.ts';
import { networkError, replyError } from './api-errors.ts';
import { render, toWebhookMsg } from './encode.ts';
import { dingtalkSign } from './verify.ts';

/**
 * A DingTalk custom group robot (自定义机器人, webhook + 加签) for announcements to one group.
 * Send-only: buttons become numbered text.
 *
 * Address it with {@link GroupRobot.address}: `{platform: 'dingtalk', chatId: 'robot:<key>',
 * chatType: 'group', meta: {robot: '<key>'}}`, `<key>` = 12 hex digits of SHA-256 of the
 * webhook URL. The outbox puts it in lane `dingtalk:robot:<key>` ({@link GroupRobot.lane}),
 * whose limit (20 messages per minute per robot) is the outbox's `dingtalk:robot` default.
 *
 * Each request carries its own fresh `timestamp` (ms) and `sign` =
 * `urlencode(base64(HmacSHA256(key = secret, msg = timestamp + "\n" + secret)))`, the Base64
 * URL-encoded exactly once (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`). DingTalk refuses timestamps
 * more than 1 h off, so a sign computed at start-up would fail an hour later.
 * @see https://open.dingtalk.com/document/robots/customize-robot-security-settings
 * @see https://open.dingtalk.com/document/robots/custom-robot-access
 */

/** DingTalk's public old-style API origin, which `DINGTALK_OAPI_BASE` may replace. */
export const PUBLIC_OAPI_ORIGIN = 'https://oapi.dingtalk.com';

/** Webhook, secret and origin of a {@link GroupRobot}. */
export interface GroupRobotOptions {
  /** The robot's webhook URL (`DINGTALK_GROUP_WEBHOOK`, `https://oapi.dingtalk.com/robot/send?access_token=…`). */
  webhook: string;
  /** The 加签 secret (`DINGTALK_GROUP_SECRET`, `SEC…`); without it requests are unsigned (keyword / IP security). */
  secret?: string;
  /**
   * Origin that replaces DingTalk's public one in the webhook (`DINGTALK_OAPI_BASE`), so tests and
   * a local fake can stand in; a webhook on another origin is used as is.
   */
  oapiBase?: string;
  clock?: Clock;
  log?: Logger;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** The routing key of a webhook: 12 hex digits of its SHA-256 (no secret in lanes or logs). */
export function groupRobotKey(webhook: string): string {
  return createHash('sha256').update(webhook).digest('hex').slice(0, 12);
}

/** One custom group robot: signs each request afresh and posts one message (see above). */
export class GroupRobot {
  /** {@link groupRobotKey} of the webhook. */
  readonly key: string;
  /** The outbox lane of this robot, `dingtalk:robot:<key>` (limit kind `dingtalk:robot`). */
  readonly lane: string;
  /** Where to send announcements through this robot. */
  readonly address: Address;
  private readonly base: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeout: number;

  /** @throws {ConfigError} code `config_invalid` when the webhook is not a URL. */
  constructor(private readonly opts: GroupRobotOptions) {
    this.key = groupRobotKey(opts.webhook);
    this.lane = `dingtalk:robot:${this.key}`;
    this.address = {
      platform: 'dingtalk',
      chatId: `robot:${this.key}`,
      chatType: 'group',
      meta: { robot: this.key },
    };
    this.base = rebase(stripSignParams(opts.webhook), opts.oapiBase);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.timeout = opts.timeoutMs ?? 10_000;
  }

  /**
   * The URL to POST to at `now`: the webhook plus `&timestamp=<now>&sign=<urlencoded sign>`.
   * @param now ms since epoch (UTC); default the clock
   */
  signedUrl(now: number = this.clock.now()): string {
    if (!this.opts.secret) return this.base;
    const timestamp = String(Math.trunc(now));
    const sign = encodeURIComponent(dingtalkSign(timestamp, this.opts.secret));
    return `${this.base}${this.base.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${sign}`;
  }

  /**
   * Sends one message to the group.
   * @throws {PlatformApiError} method `robot/send`: errcode 130101 (too fast) retryable after
   *   `retryAfterMs` (60 s unless DingTalk says otherwise); network, 429, 5xx retryable; other
   *   errcodes (310000 bad sign / keyword / IP) permanent.
   */
  async send(message: OutgoingMessage): Promise<SendResult> {
    const method = 'robot/send';
    let res: Response;
    try {
      res = await fetch(this.signedUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(toWebhookMsg(render(message))),
        signal: AbortSignal.timeout(this.timeout),
      });
    } catch (cause) {
      throw networkError(method, cause);
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const err = replyError(method, res.status, body, res.headers.get('retry-after'), this.clock.now());
    if (err) {
      this.log.warn('dingtalk group robot refused a message', {
        lane: this.lane,
        errcode: err.errcode,
        status: err.status,
      });
      throw err;
    }
    return {};
  }
}

/**
 * Drops `timestamp` / `sign` a pasted (already signed) webhook may carry.
 * @throws {ConfigError} when the webhook is not a URL.
 */
function stripSignParams(webhook: string): string {
  let u: URL;
  try {
    u = new URL(webhook);
  } catch {
    throw new ConfigError([
      'DINGTALK_GROUP_WEBHOOK: not a URL (expected https://oapi.dingtalk.com/robot/send?access_token=…)',
    ]);
  }
  if (!u.searchParams.has('timestamp') && !u.searchParams.has('sign')) return webhook;
  u.searchParams.delete('timestamp');
  u.searchParams.delete('sign');
  return u.toString();
}

function rebase(webhook: string, oapiBase: string | undefined): string {
  if (!oapiBase || !webhook.startsWith(`${PUBLIC_OAPI_ORIGIN}/`)) return webhook;
  return `${oapiBase.replace(/\/+$/, '')}${webhook.slice(PUBLIC_OAPI_ORIGIN.length)}`;
}

/** Guard for the adapter: a `PlatformApiError` for an address naming another robot. */
export function unknownRobotError(key: string): PlatformApiError {
  return new PlatformApiError({
    platform: 'dingtalk',
    method: 'robot/send',
    message: `no DingTalk group robot with key ${key} (set DINGTALK_GROUP_WEBHOOK)`,
  });
}
