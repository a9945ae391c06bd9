import type {
  Adapter,
  AdapterContext,
  Address,
  Clock,
  IncomingMessage,
  Logger,
  OutgoingMessage,
  SendOptions,
  SendResult,
} from '../../src/index.ts';
import { PlatformApiError, silentLogger, systemClock } from '../../src/index.ts';
import { DingtalkApi } from './api.ts';
import { type DecodeResult, decodeCardCallback, decodeRobotMessage } from './decode.ts';
import {
  buildCardData,
  cardBizIdFor,
  DINGTALK_TEXT_MAX_CHARS,
  render,
  toRobotMsg,
  toWebhookMsg,
} from './encode.ts';
import { GroupRobot, unknownRobotError } from './group-robot.ts';
import { mountDingtalkWebhook } from './http-route.ts';
import { DingtalkStream, STREAM_TOPICS, type StreamOptions } from './stream.ts';

/**
 * The DingTalk adapter: an app robot (Stream or HTTP mode) and, optionally, a custom group
 * robot for announcements. Switched on by `DINGTALK_CLIENT_ID` + `DINGTALK_CLIENT_SECRET`;
 * the group robot by `DINGTALK_GROUP_WEBHOOK` (+ `DINGTALK_GROUP_SECRET`), also alone.
 *
 * Sending (`send`), by address:
 * - `meta.robot`, or the group chat id `robot` / `robot:<key>` (user key `dingtalk:group:robot`,
 *   e.g. as `PROJECT_GROUP`) → the custom group robot ({@link GroupRobot.address}); the outbox
 *   lane is `dingtalk:robot[:<key>]` either way, limited 20/min;
 * - buttons and a card template (`DINGTALK_CARD_TEMPLATE_ID`, Stream mode only: clicks come back
 *   on the Stream connection) → an interactive card through the robot API (never a
 *   `sessionWebhook`, which cannot carry cards); else numbered text;
 * - otherwise the message's `sessionWebhook` while it is valid (its expiry minus a margin),
 *   falling back to the robot APIs when it is gone or refused: `groupMessages/send` for a group
 *   (`chatId`), `oToMessages/batchSend` for a user.
 * @see https://open.dingtalk.com/document/orgapp/robot-overview
 */

/** The configuration slice this adapter reads (a subset of the app's `Config`). */
export interface DingtalkAdapterConfig {
  dingtalk?: {
    clientId: string;
    clientSecret: string;
    robotCode: string;
    mode: 'stream' | 'http';
    apiBase: string;
    oapiBase: string;
    cardTemplateId?: string;
  };
  DINGTALK_GROUP_WEBHOOK?: string;
  DINGTALK_GROUP_SECRET?: string;
  DINGTALK_OAPI_BASE?: string;
  /** The bot's display name(s) in chats, comma-separated (to strip a leftover `@name`). */
  DINGTALK_BOT_NAME?: string;
  BODY_LIMIT?: string;
}

export interface DingtalkAdapterOptions {
  clock?: Clock;
  log?: Logger;
  /** A ready group robot (tests); default: built from `DINGTALK_GROUP_WEBHOOK`. */
  groupRobot?: GroupRobot;
  /** Stream tuning (reconnect backoff, keep-alive), mainly for tests. */
  stream?: Pick<StreamOptions, 'reconnect' | 'random' | 'keepAliveMs' | 'connectTimeoutMs'>;
  /** A `sessionWebhook` is used only until this many ms before its expiry (default 60 s). */
  sessionWebhookMarginMs?: number;
}

/** The adapter, with its parts exposed for metrics and tests. */
export interface DingtalkAdapter extends Adapter {
  readonly api?: DingtalkApi;
  readonly groupRobot?: GroupRobot;
  /** The Stream connection once `start` ran (Stream mode). */
  readonly stream?: DingtalkStream;
}

/**
 * Builds the DingTalk adapter. Stream mode connects in `start`; HTTP mode mounts
 * `POST /webhooks/dingtalk` in `mount`; a group robot alone gives a send-only adapter.
 * @param cfg the app's config (only the DingTalk slice is read)
 * @param opts clock, logger, a ready group robot, Stream tuning, sessionWebhook margin (ms)
 * @throws {ConfigError} code `config_invalid` when `DINGTALK_GROUP_WEBHOOK` is not a URL.
 */
export function createDingtalkAdapter(
  cfg: DingtalkAdapterConfig,
  opts: DingtalkAdapterOptions = {},
): DingtalkAdapter {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const app = cfg.dingtalk;
  const margin = opts.sessionWebhookMarginMs ?? 60_000;
  const botNames = (cfg.DINGTALK_BOT_NAME ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const api = app ? new DingtalkApi({ ...app, clock, log }) : undefined;
  const groupRobot =
    opts.groupRobot ??
    (cfg.DINGTALK_GROUP_WEBHOOK
      ? new GroupRobot({
          webhook: cfg.DINGTALK_GROUP_WEBHOOK,
          secret: cfg.DINGTALK_GROUP_SECRET,
          oapiBase: app?.oapiBase ?? cfg.DINGTALK_OAPI_BASE,
          clock,
          log,
        })
      : undefined);
  let stream: DingtalkStream | undefined;
  // Card clicks come back on the Stream connection; in HTTP mode nothing would receive them
  // (the robot card API only calls back a `callbackUrl`, and we know no public URL).
  const cardTemplateId = app?.mode === 'stream' ? app.cardTemplateId : undefined;
  if (app?.cardTemplateId && !cardTemplateId)
    log.warn(
      'dingtalk: DINGTALK_CARD_TEMPLATE_ID is ignored in HTTP mode (card clicks need Stream mode); choices go as numbered text',
    );

  const deliver = (decoded: DecodeResult, ctx: AdapterContext) => {
    if (decoded.status === 'ignored') {
      log.debug('dingtalk: message ignored', { reason: decoded.reason });
      return;
    }
    const m: IncomingMessage = decoded.message;
    void ctx.dispatch(m).catch((e) => log.error('dingtalk: dispatch failed', { id: m.id, error: String(e) }));
  };
  const decodeMessage = (payload: unknown) =>
    decodeRobotMessage(payload, { robotCode: app?.robotCode ?? '', botNames });

  async function send(to: Address, message: OutgoingMessage, sendOpts: SendOptions): Promise<SendResult> {
    const robot = robotKeyOf(to);
    if (robot !== undefined) {
      if (!groupRobot || (robot !== '' && groupRobot.key !== robot)) throw unknownRobotError(robot);
      return groupRobot.send(message);
    }
    if (!api || !app)
      throw new PlatformApiError({
        platform: 'dingtalk',
        method: 'send',
        message: 'DingTalk app robot is not configured (DINGTALK_CLIENT_ID)',
      });
    const group = to.chatType !== 'direct' && !!to.chatId;
    if (!group && !to.userId)
      throw new PlatformApiError({
        platform: 'dingtalk',
        method: 'send',
        message: 'address has no userId or chatId',
      });

    if (message.buttons?.length && cardTemplateId) {
      const cardBizId = cardBizIdFor(sendOpts.idempotencyKey);
      const target = group ? { openConversationId: to.chatId as string } : { userId: to.userId as string };
      await api.sendCard(target, {
        cardTemplateId,
        cardBizId,
        cardData: buildCardData(message, cardTemplateId),
      });
      return { messageId: cardBizId };
    }
    const rendered = render(message);
    const hook = liveSessionWebhook(to, clock.now(), margin);
    if (hook) {
      try {
        await api.postSessionWebhook(hook, toWebhookMsg(rendered));
        return {};
      } catch (e) {
        // Retryable failures go back to the outbox; a refusal (expired session) falls through.
        if (!(e instanceof PlatformApiError) || e.retryable) throw e;
        log.info('dingtalk: sessionWebhook refused, using the robot API', {
          errcode: e.errcode,
          status: e.status,
        });
      }
    }
    const r = group
      ? await api.sendToGroup(to.chatId as string, toRobotMsg(rendered))
      : await api.sendToUser(to.userId as string, toRobotMsg(rendered));
    return r.processQueryKey ? { messageId: r.processQueryKey } : {};
  }

  const adapter: DingtalkAdapter = {
    platform: 'dingtalk',
    limit: { chars: DINGTALK_TEXT_MAX_CHARS },
    api,
    groupRobot,
    get stream() {
      return stream;
    },
    send,
    async stop() {
      await stream?.stop();
    },
    ...(app?.mode === 'http'
      ? {
          mount(router, ctx) {
            mountDingtalkWebhook(router, {
              appSecret: app.clientSecret,
              clock,
              log,
              bodyLimit: cfg.BODY_LIMIT,
              onPayload: (payload) => deliver(decodeMessage(payload), ctx),
            });
          },
        }
      : {}),
    ...(app?.mode === 'stream'
      ? {
          async start(ctx) {
            stream = new DingtalkStream({
              ...opts.stream,
              clientId: app.clientId,
              clientSecret: app.clientSecret,
              apiBase: app.apiBase,
              log,
              onCallback: (topic, data) =>
                deliver(topic === STREAM_TOPICS.card ? decodeCardCallback(data) : decodeMessage(data), ctx),
            });
            await stream.start();
          },
        }
      : {}),
  } satisfies DingtalkAdapter;
  return adapter;
}

/**
 * The address's `sessionWebhook` if it is still valid at `now` with `marginMs` to spare.
 * @param now ms since epoch (UTC)
 */
export function liveSessionWebhook(to: Address, now: number, marginMs: number): string | undefined {
  const url = to.meta?.sessionWebhook;
  const expires = Number(to.meta?.sessionWebhookExpiredTime);
  if (!url || !Number.isFinite(expires) || expires <= 0) return undefined;
  return now + marginMs < expires ? url : undefined;
}

/**
 * The custom-group-robot key an address names: `meta.robot`, or a group `chatId` of `robot:<key>`;
 * `''` for a bare `robot` (the configured robot); `undefined` for app-robot addresses.
 */
export function robotKeyOf(to: Address): string | undefined {
  if (to.meta?.robot) return to.meta.robot;
  if (to.chatId === 'robot') return '';
  return to.chatId?.startsWith('robot:') ? to.chatId.slice('robot:'.length) : undefined;
}
