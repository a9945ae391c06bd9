import { createHash } from 'node:crypto';
import type { Router } from 'express';
import {
  type Adapter,
  type AdapterContext,
  type Address,
  byteLimit,
  type Clock,
  type Config,
  type Logger,
  type OutgoingMessage,
  PlatformApiError,
  readRawBody,
  replyEmpty,
  replyError,
  replyJson,
  SignatureError,
  silentLogger,
  systemClock,
} from '../../src/index.ts';
import { FeishuApi } from './api.ts';
import { decodeFeishu, type FeishuDecoded, needsBotOpenId } from './decode.ts';
import { encodeFeishu, encodeFeishuText, FEISHU_TEXT_LIMIT } from './encode.ts';
import { decryptFeishu, safeEqual, verifyFeishuSignature } from './verify.ts';

export interface FeishuAdapterOptions {
  clock?: Clock;
  log?: Logger;
  bodyLimit?: string;
  /** Per-request API timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** After a failed `bot/v3/info`, group messages are ignored and the lookup retried after this (ms). */
export const BOT_ID_RETRY_MS = 10 * 60_000;

/**
 * A card refused for good (`230099` and any other non-retryable, non-token answer to an
 * `interactive` send), worth one resend as plain text.
 * @see https://open.feishu.cn/document/server-docs/im-v1/message/create (error codes)
 */
export function isCardRefusal(e: unknown): e is PlatformApiError {
  return e instanceof PlatformApiError && !e.retryable && !e.tokenInvalid;
}

/**
 * Feishu / Lark adapter on `POST /webhooks/feishu` (event subscription and card callbacks).
 * Order of checks: with an Encrypt Key, the `X-Lark-Signature` over the raw bytes (challenge
 * requests carry none, so they are accepted only after decrypting with the key and matching
 * the Verification Token when one is set); without one, the Verification Token in the body.
 * The challenge is answered at once (1 s deadline), events with 200 at once and then dispatched.
 *
 * Group messages are answered only when they mention the bot's open_id: `FEISHU_BOT_OPEN_ID`,
 * else learned once from `GET /open-apis/bot/v3/info` on the first group message that mentions
 * someone, and cached. While it cannot be learned, group messages are ignored (one warning;
 * retried after {@link BOT_ID_RETRY_MS}) rather than answering every mention of anyone.
 *
 * Sends: a card refused for good ({@link isCardRefusal}) is sent once more as plain text
 * (`encodeFeishuText`); if that fails too, its error is thrown.
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/request-url-configuration-case
 */
export function createFeishuAdapter(
  cfg: NonNullable<Config['feishu']>,
  opts: FeishuAdapterOptions = {},
): Adapter {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const api = new FeishuApi(cfg, clock, { timeoutMs: opts.timeoutMs });
  let botOpenId = cfg.botOpenId;
  let learning: Promise<string | undefined> | undefined;
  let retryAt = 0;
  let warned = false;
  /** The bot's open_id: configured, cached, or fetched (one fetch at a time); undefined on failure. */
  const learnBotOpenId = (): Promise<string | undefined> => {
    if (botOpenId) return Promise.resolve(botOpenId);
    if (clock.now() < retryAt) return Promise.resolve(undefined);
    learning ??= api
      .botOpenId()
      .then(
        (id) => {
          botOpenId = id;
          log.info('feishu: learned the bot open_id', { openId: id });
          return id;
        },
        (e) => {
          retryAt = clock.now() + BOT_ID_RETRY_MS;
          if (!warned) {
            warned = true;
            log.warn(
              'feishu: cannot learn the bot open_id (set FEISHU_BOT_OPEN_ID); group messages ignored',
              {
                error: String((e as Error)?.message ?? e),
              },
            );
          }
          return undefined;
        },
      )
      .finally(() => {
        learning = undefined;
      });
    return learning;
  };
  /** Decodes an authenticated event with the bot's open_id, learning it first when needed. */
  const decodeEvent = async (body: Record<string, unknown>) =>
    decodeFeishu(body, needsBotOpenId(body) ? await learnBotOpenId() : botOpenId);
  const reject = replyError;
  const limit = byteLimit(opts.bodyLimit ?? '1mb');

  return {
    platform: 'feishu',
    limit: { chars: FEISHU_TEXT_LIMIT },
    mount(router: Router, ctx: AdapterContext) {
      router.post('/webhooks/feishu', (req, res) =>
        readRawBody(req, limit, (err, raw) => {
          if (err) return reject(res, err.status, err.code, err.message);
          let outer: Record<string, unknown>;
          try {
            outer = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
            if (!isObject(outer)) throw new Error('not an object');
          } catch {
            return reject(res, 400, 'bad_request', 'body does not parse');
          }
          let body = outer;
          const signed = req.get('x-lark-signature') !== undefined;
          try {
            if (cfg.encryptKey && signed)
              verifyFeishuSignature({
                encryptKey: cfg.encryptKey,
                timestamp: req.get('x-lark-request-timestamp'),
                nonce: req.get('x-lark-request-nonce'),
                signature: req.get('x-lark-signature'),
                rawBody: raw,
                nowMs: clock.now(),
              });
            if (cfg.encryptKey && typeof outer.encrypt === 'string') {
              try {
                body = JSON.parse(decryptFeishu(cfg.encryptKey, outer.encrypt)) as Record<string, unknown>;
              } catch (e) {
                if (e instanceof SignatureError) throw e;
                throw new SignatureError('decrypted body is not JSON');
              }
              // Decrypted with our key, so not forged, but not an event either (`null`, `42`, `[]`).
              if (!isObject(body))
                return reject(res, 400, 'bad_request', 'decrypted body is not a JSON object');
            }
            const d0 = decodeFeishu(body, cfg.botOpenId);
            const tokenOk = cfg.verificationToken !== undefined && safeEqual(d0.token, cfg.verificationToken);
            if (cfg.encryptKey && !signed) {
              // Only the URL challenge comes unsigned; it must have decrypted with our key and
              // carry the Verification Token when one is configured.
              const decrypted = typeof outer.encrypt === 'string';
              if (d0.kind !== 'challenge' || !decrypted || (cfg.verificationToken !== undefined && !tokenOk))
                throw new SignatureError('missing X-Lark-Signature');
            } else if (!cfg.encryptKey && !tokenOk) {
              throw new SignatureError('verification token mismatch');
            }
            if (d0.kind === 'challenge') {
              replyJson(res, 200, { challenge: d0.challenge });
              return;
            }
            // Card callbacks want a JSON answer within 3 s; `{}` leaves the card as it is. Other
            // events need only the 200 (their body is not read), so they get an empty one: a
            // body makes Node write the response in two chunks (writev), which cost the route
            // ~20 µs per event on the ingest bench.
            // https://open.feishu.cn/document/server-docs/event-subscription-guide/event-subscription-configure-/request-url-configuration-case
            if (isEventPush(body)) replyEmpty(res);
            else replyJson(res, 200, {});
            const handOff = (d: FeishuDecoded) => {
              if (d.kind === 'message') return ctx.dispatch(d.message);
              if (d.kind === 'ignore') log.debug('feishu: ignored', { reason: d.reason });
            };
            const failed = (e: unknown) => log.error('feishu: dispatch failed', { error: String(e) });
            // d0 was decoded with the configured open_id; decode again only when the bot's
            // open_id matters for this event and has been learned since (or must be learned).
            if (botOpenId === cfg.botOpenId && (botOpenId || !needsBotOpenId(body)))
              void Promise.resolve(handOff(d0)).catch(failed);
            else void decodeEvent(body).then(handOff).catch(failed);
          } catch (e) {
            if (e instanceof SignatureError) return reject(res, 401, e.code, e.message);
            log.error('feishu: webhook error', { error: String(e) });
            replyJson(res, 200, {});
          }
        }),
      );
    },
    async send(to: Address, message: OutgoingMessage, sendOpts) {
      const receive = to.chatId
        ? { type: 'chat_id' as const, id: to.chatId }
        : { type: 'open_id' as const, id: to.userId ?? '' };
      if (!receive.id) throw new Error('feishu: address has no chat_id or open_id');
      // `uuid` makes Feishu drop a repeat of the same send within 1 h (≤ 50 chars, so hashed).
      const uuid = (suffix: string) =>
        createHash('sha1').update(`${sendOpts.idempotencyKey}${suffix}`).digest('hex');
      const body = encodeFeishu(message);
      try {
        return { messageId: await api.sendMessage(receive, body, uuid('')) };
      } catch (e) {
        if (body.msg_type !== 'interactive' || !isCardRefusal(e)) throw e;
        log.warn('feishu: card refused, resending as text', { errcode: e.errcode, status: e.status });
        // Its own uuid: the text is a different message from the refused card.
        return { messageId: await api.sendMessage(receive, encodeFeishuText(message), uuid(':text')) };
      }
    },
  };
}

/**
 * An event push whose answer body Feishu does not read: a schema 2.0 event other than a card
 * action (`card.action.trigger` reads its answer as a toast/card), or a schema 1.0
 * `event_callback`.
 */
function isEventPush(body: Record<string, unknown>): boolean {
  if (body.schema === '2.0')
    return (body.header as { event_type?: unknown } | undefined)?.event_type !== 'card.action.trigger';
  return body.type === 'event_callback';
}

/** A JSON object (not null, not an array). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
