import { App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import express, { type Router } from 'express';
import {
  type Adapter,
  type AdapterContext,
  type Address,
  type Clock,
  type Config,
  type Logger,
  type OutgoingMessage,
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
      router.post(
        '/webhooks/slack',
        express.raw({ type: '*/*', limit: opts.bodyLimit ?? '1mb' }),
        async (req, res) => {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          try {
            verifySlackSignature({
              signingSecret: cfg.signingSecret,
              timestamp: req.get('x-slack-request-timestamp'),
              signature: req.get('x-slack-signature'),
              rawBody: raw,
              nowMs: clock.now(),
            });
          } catch (e) {
            if (e instanceof SignatureError) {
              res.status(401).json({ error: { code: e.code, message: e.message } });
              return;
            }
            throw e;
          }
          let body: Record<string, unknown>;
          try {
            body = parseBody(raw, req.get('content-type') ?? '');
          } catch {
            res.status(400).json({ error: { code: 'bad_request', message: 'body does not parse' } });
            return;
          }
          if (body.type === 'url_verification') {
            res.json({ challenge: body.challenge });
            return;
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
            if (payload && typeof payload === 'object') res.json(payload);
            else res.status(200).end();
          };
          const timer = setTimeout(() => finish(), ACK_SAFETY_MS);
          try {
            await receiver.process({ body, ack: async (r?: unknown) => finish(r), retryNum, retryReason });
          } catch (e) {
            log.error('slack: processEvent failed', { error: String(e) });
          }
          finish();
        },
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
