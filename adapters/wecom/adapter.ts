import type { Router } from 'express';
import type {
  Adapter,
  AdapterContext,
  Address,
  Clock,
  Locale,
  Logger,
  OutgoingMessage,
  SendOptions,
  SendResult,
} from '../../src/index.ts';
import { silentLogger } from '../../src/index.ts';
import { WecomApi } from './api.ts';
import { encodeWecomMessage, taskIdFor, WECOM_TEXT_MAX_BYTES } from './encode.ts';
import { mountWecomRoutes } from './routes.ts';
import { type WecomKeys, wecomKeys } from './verify.ts';

/** The WeCom slice of the configuration (`Config['wecom']`, from the `WECOM_*` variables). */
export interface WecomConfig {
  corpId: string;
  agentId: string;
  secret: string;
  token: string;
  encodingAESKey: string;
  apiBase: string;
}

export interface WecomAdapterOptions {
  clock?: Clock;
  log?: Logger;
  /**
   * Largest callback body accepted, bytes or `512b`/`16kb`/`1mb`/`1gb` (1 kb = 1024 bytes;
   * default `1mb`); larger → 413. A malformed value throws `RangeError` when the routes mount.
   */
  bodyLimit?: string | number;
  /** Locale of the adapter's own words (the numbered-choice hint); default zh-CN. */
  locale?: Locale;
}

/** The adapter plus its parts, for tests and the composition root. */
export interface WecomAdapter extends Adapter {
  readonly platform: 'wecom';
  readonly api: WecomApi;
  readonly keys: WecomKeys;
}

/** Remembered per message so an outbox retry does not resend pieces WeCom already took. */
const PROGRESS_MAX = 1000;

/**
 * WeCom self-built app (自建应用) adapter: callback routes (`/webhooks/wecom`) and replies
 * through `message/send`.
 * @param cfg `Config['wecom']`
 * @throws {RangeError} when the EncodingAESKey is malformed or the AgentId is not an integer.
 * @see https://developer.work.weixin.qq.com/document/path/90930
 * @see https://developer.work.weixin.qq.com/document/path/90236
 */
export function createWecomAdapter(cfg: WecomConfig, opts: WecomAdapterOptions = {}): WecomAdapter {
  const log = opts.log ?? silentLogger;
  const keys = wecomKeys({ token: cfg.token, encodingAESKey: cfg.encodingAESKey, receiveId: cfg.corpId });
  const agentId = Number(cfg.agentId);
  if (!Number.isSafeInteger(agentId))
    throw new RangeError(`WECOM_AGENT_ID must be an integer, got "${cfg.agentId}"`);
  const api = new WecomApi({
    corpId: cfg.corpId,
    secret: cfg.secret,
    apiBase: cfg.apiBase,
    clock: opts.clock,
    log,
  });
  // idempotencyKey → pieces already accepted. In memory only: after a restart a retried
  // multi-piece message may repeat its first pieces, which beats losing the rest.
  const progress = new Map<string, number>();

  return {
    platform: 'wecom',
    api,
    keys,
    limit: { bytes: WECOM_TEXT_MAX_BYTES },
    mount(router: Router, ctx: AdapterContext) {
      mountWecomRoutes(router, ctx, { keys, log, bodyLimit: opts.bodyLimit ?? '1mb' });
    },
    /**
     * Encodes and sends, one `message/send` per piece, in order.
     * @throws {PlatformApiError} from {@link WecomApi.sendMessage}.
     */
    async send(to: Address, message: OutgoingMessage, sendOpts: SendOptions): Promise<SendResult> {
      const key = sendOpts.idempotencyKey;
      const bodies = encodeWecomMessage(to, message, {
        agentId,
        taskId: taskIdFor(key),
        locale: opts.locale,
        duplicateCheck: sendOpts.push === true,
      });
      let messageId: string | undefined;
      for (let i = progress.get(key) ?? 0; i < bodies.length; i++) {
        messageId = (await api.sendMessage(bodies[i])).msgid ?? messageId;
        if (i + 1 < bodies.length) {
          progress.delete(key);
          progress.set(key, i + 1);
          if (progress.size > PROGRESS_MAX) progress.delete(progress.keys().next().value as string);
        }
      }
      progress.delete(key);
      return messageId ? { messageId } : {};
    },
  };
}
