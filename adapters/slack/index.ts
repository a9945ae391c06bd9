import { App, type Receiver, type ReceiverEvent } from '@slack/bolt';
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
  readRawBody,
  replyError,
  replyJson,
  SignatureError,
  silentLogger,
  systemClock,
} from '../../src/index.ts';
import { SlackApi } from './api.ts';
import { decodeBlockActions, decodeEventCallback, type SlackDecoded } from './decode.ts';
import { encodeMessage, SLACK_TEXT_LIMIT } from './encode.ts';
import { verifySlackSignature } from './verify.ts';

/** How long an interactivity request may wait for the listener's `ack()` before we answer 200 anyway (Slack allows 3 s). */
const ACK_SAFETY_MS = 2_500;

/**
 * Bolt receiver that takes requests from our express route instead of running its own server,
 * so Events API and interactivity share `POST /webhooks/slack` inside the bot's express app.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/receiver
 */
class ExpressMountedReceiver implements Receiver {
  app?: App;
  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  process(event: ReceiverEvent): Promise<void> {
    if (!this.app) throw new Error('receiver not initialised');
    return this.app.processEvent(event);
  }
}

export interface SlackAdapterOptions {
  clock?: Clock;
  log?: Logger;
  bodyLimit?: string;
}

/**
 * Slack adapter: `@slack/bolt` mounted on `POST /webhooks/slack` (Events API + interactivity).
 * The route verifies the signature over the raw bytes and the ±300 s window BEFORE Bolt sees the
 * request (Bolt's window is one-sided), answers Events API deliveries at once (retries carry the
 * same `event_id`, deduped by the core), and acks button clicks through Bolt's `ack()` within 3 s.
 * `message` and `app_mention` events — what the bot answers — are decoded by the route itself and
 * handed to the core without Bolt's middleware chain (measured: that chain cost more CPU per event
 * than the rest of the ingest path); interactivity and any other event type go through Bolt.
 * @see https://api.slack.com/apis/events-api
 * @see https://api.slack.com/interactivity/handling#acknowledgment_response
 */
export function createSlackAdapter(
  cfg: NonNullable<Config['slack']>,
  opts: SlackAdapterOptions = {},
): Adapter {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const api = new SlackApi(cfg.apiUrl, cfg.botToken);
  const receiver = new ExpressMountedReceiver();
  let ctxRef: AdapterContext | undefined;
  const limit = byteLimit(opts.bodyLimit ?? '1mb');
  const hand = (d: SlackDecoded) => {
    if (d.kind === 'message' && ctxRef) void ctxRef.dispatch(d.message);
    else if (d.kind === 'ignore') log.debug('slack: ignored', { reason: d.reason });
  };
  const app = new App({
    receiver,
    // Our own authorize: Bolt's single-token mode calls auth.test on the first event to learn
    // the bot user id; we read it from the event's `authorizations` instead (no extra API call).
    authorize: async () => ({ botToken: cfg.botToken }),
    ignoreSelf: false,
    // No conversation store: the bot keeps its own sessions (it was the costliest Bolt middleware).
    convoStore: false,
    clientOptions: { slackApiUrl: `${cfg.apiUrl}/` },
    logLevel: 'error' as never,
  });
  app.event(/^(message|app_mention)$/, async ({ body }) => hand(decodeEventCallback(body as never)));
  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    await ack();
    hand(decodeBlockActions(body as never));
  });
  app.error(async (e) => log.error('slack: listener error', { error: String(e) }));

  return {
    platform: 'slack',
    limit: { chars: SLACK_TEXT_LIMIT },
    mount(router: Router, ctx: AdapterContext) {
      ctxRef = ctx;
      router.post('/webhooks/slack', (req, res) =>
        readRawBody(req, limit, async (err, raw) => {
          if (err) return replyError(res, err.status, err.code, err.message);
          try {
            verifySlackSignature({
              signingSecret: cfg.signingSecret,
              timestamp: req.get('x-slack-request-timestamp'),
              signature: req.get('x-slack-signature'),
              rawBody: raw,
              nowMs: clock.now(),
            });
          } catch (e) {
            if (e instanceof SignatureError) return replyError(res, 401, e.code, e.message);
            log.error('slack: verification failed unexpectedly', { error: String(e) });
            return replyError(res, 500, 'internal', 'internal error');
          }
          let body: Record<string, unknown>;
          try {
            body = parseBody(raw, req.get('content-type') ?? '');
          } catch {
            return replyError(res, 400, 'bad_request', 'body does not parse');
          }
          if (body.type === 'url_verification') {
            return replyJson(res, 200, { challenge: body.challenge });
          }
          if (body.ssl_check) {
            res.status(200).end();
            return;
          }
          const retryNum = Number(req.get('x-slack-retry-num') ?? '') || undefined;
          const retryReason = req.get('x-slack-retry-reason') ?? undefined;
          if (body.type === 'event_callback') {
            // Ack at once: processing never holds the HTTP response (Slack retries after 3 s).
            res.status(200).end();
            // The bot's own events (DMs, mentions) are decoded here and handed on directly: Bolt's
            // processEvent (global middleware, context, listener matching) cost more CPU than the
            // whole rest of the route on the ingest bench. Other events still go through Bolt.
            const type = (body.event as { type?: unknown } | undefined)?.type;
            if (type === 'message' || type === 'app_mention') return hand(decodeEventCallback(body));
            void receiver
              .process({ body, ack: async () => {}, retryNum, retryReason })
              .catch((e) => log.error('slack: processEvent failed', { error: String(e) }));
            return;
          }
          // Interactivity: Bolt listeners ack(); answer 200 ourselves if none did in time.
          let acked = false;
          const finish = (payload?: unknown) => {
            if (acked) return;
            acked = true;
            clearTimeout(timer);
            if (payload && typeof payload === 'object') replyJson(res, 200, payload);
            else res.status(200).end();
          };
          const timer = setTimeout(() => finish(), ACK_SAFETY_MS);
          try {
            await receiver.process({ body, ack: async (r?: unknown) => finish(r), retryNum, retryReason });
          } catch (e) {
            log.error('slack: processEvent failed', { error: String(e) });
          }
          finish();
        }),
      );
    },
    async send(to: Address, message: OutgoingMessage) {
      const channel = to.chatId ?? to.userId;
      if (!channel) throw new Error('slack: address has no channel or user');
      const body: Record<string, unknown> = { channel, ...encodeMessage(message) };
      if (to.meta?.thread_ts) body.thread_ts = to.meta.thread_ts;
      return { messageId: await api.postMessage(body) };
    },
  };
}

/** JSON for Events API; `payload=<json>` form bodies for interactivity; other forms as fields. */
function parseBody(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as Record<string, unknown>;
    return Object.fromEntries(form.entries());
  }
  const v = JSON.parse(text) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
  return v as Record<string, unknown>;
}
