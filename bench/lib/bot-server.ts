/**
 * Servers for the ingest benchmark, built the way `src/main.ts` builds the app: each adapter
 * mounted on the express app from `createHttpApp` (`adapter.mount(router, ctx)`), `ctx.dispatch`
 * going to a real {@link Bot} (survey feature, MemoryStore) whose {@link Outbox} is never
 * started, so replies are queued and nothing is sent. Plus a plain Bolt app on its default
 * `HTTPReceiver` handing the same events to the same kind of bot.
 */
import type http from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { decodeEventCallback } from '../../adapters/slack/decode.ts';
import { Bot } from '../../src/core/bot.ts';
import { Outbox } from '../../src/core/outbox.ts';
import { createHttpApp, listen } from '../../src/http/server.ts';
import type { Adapter, AdapterContext, IncomingMessage } from '../../src/index.ts';
import { silentLogger } from '../../src/index.ts';
import { createSurveyFeature, loadSurveys } from '../../src/survey/index.ts';
import { MemoryStore } from '../../storage/memory.ts';
import type { Hosted } from './host.ts';
import { benchConfig, SLACK_BOT_USER } from './platform-requests.ts';

/** Turn counters of a bench bot. */
export interface BotCounts {
  handedOff: number;
  done: number;
  duplicates: number;
  failed: number;
}

/**
 * A real bot (survey feature from `FLOWS_DIR`, MemoryStore, outbox not started) and the
 * adapter context whose `dispatch` counts hand-offs and finished turns.
 */
export async function createBenchBot(adapter?: Adapter) {
  const store = new MemoryStore();
  const outbox = new Outbox({ store, log: silentLogger });
  if (adapter) outbox.register(adapter); // registered for its split limits; never started
  const surveys = await loadSurveys(benchConfig.FLOWS_DIR);
  const bot = new Bot({
    store,
    outbox,
    features: [createSurveyFeature({ surveys, timezone: benchConfig.BOT_TIMEZONE })],
    log: silentLogger,
  });
  const counts: BotCounts = { handedOff: 0, done: 0, duplicates: 0, failed: 0 };
  const ctx: AdapterContext = {
    log: silentLogger,
    dispatch: async (m: IncomingMessage) => {
      counts.handedOff++;
      const r = await bot.dispatch(m);
      counts.done++;
      if (r.status === 'duplicate') counts.duplicates++;
      else if (r.status === 'failed') counts.failed++;
    },
  };
  return {
    bot,
    outbox,
    ctx,
    counts,
    pending: () => counts.handedOff - counts.done,
    stats: () => ({ ...counts, queuedReplies: outbox.stats.queued }),
  };
}

/**
 * The ingest hand-off: what {@link Bot.dispatch} does before a turn is queued — claim the
 * platform message id in a MemoryStore for 48 h (`dedupe/<platform>:<id>`), then count the
 * message as handed off (or as a duplicate). The turn itself is not run.
 */
export function dedupeSink(): { ctx: AdapterContext; stats: () => Record<string, number> } {
  const store = new MemoryStore();
  const counts = { handedOff: 0, duplicates: 0 };
  return {
    ctx: {
      log: silentLogger,
      dispatch: async (m: IncomingMessage) => {
        if (
          await store.claim('dedupe', `${m.platform}:${m.id}`, { at: Date.now() }, { ttlMs: 48 * 3600_000 })
        )
          counts.handedOff++;
        else counts.duplicates++;
      },
    },
    stats: () => ({ ...counts }),
  };
}

/**
 * An adapter's webhook route on the app's express app. `mode`: `'ingest'` (default) hands each
 * message to {@link dedupeSink} — the ingest path: verify, decode, ack, dedupe, hand-off;
 * `'bot'` dispatches to a bench bot that runs the whole turn after the ack.
 */
export async function adapterServer(adapter: Adapter, mode: 'ingest' | 'bot' = 'ingest'): Promise<Hosted> {
  if (mode === 'ingest') {
    const sink = dedupeSink();
    const app = appWith(adapter, sink.ctx);
    const { server } = await listen(app, 0, '127.0.0.1');
    return { server, stats: sink.stats };
  }
  const b = await createBenchBot(adapter);
  const { server } = await listen(appWith(adapter, b.ctx), 0, '127.0.0.1');
  return { server, stats: b.stats, pending: b.pending };
}

function appWith(adapter: Adapter, ctx: AdapterContext) {
  return createHttpApp({
    routes: [(router) => adapter.mount?.(router, ctx)],
    api: [],
    health: async () => undefined,
    metrics: () => '',
    log: (msg, data) => silentLogger.error(msg, data),
  });
}

/**
 * A plain Bolt app on its default `HTTPReceiver` (`POST /slack/events`), single-token mode with
 * the bot ids given (so it never calls `auth.test`). Its `message` listener decodes the event
 * and hands it on like our Slack route: `'ingest'` to a {@link dedupeSink}, `'bot'` to a bench
 * bot running the whole turn; `'empty'` does nothing (Bolt's own cost).
 */
export async function boltServer(mode: 'ingest' | 'bot' | 'empty'): Promise<Hosted> {
  const b = mode === 'bot' ? await createBenchBot() : undefined;
  const sink = mode === 'ingest' ? dedupeSink() : undefined;
  const slack = benchConfig.slack!;
  const app = new App({
    signingSecret: slack.signingSecret,
    token: slack.botToken,
    botId: 'B0BENCH',
    botUserId: SLACK_BOT_USER,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: `${slack.apiUrl}/` },
  });
  let events = 0;
  app.event('message', async ({ body }) => {
    events++;
    const ctx = b?.ctx ?? sink?.ctx;
    if (!ctx) return;
    const d = decodeEventCallback(body as never);
    if (d.kind === 'message') void ctx.dispatch(d.message);
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' } as never)) as http.Server;
  return {
    server,
    stats: () => ({ events, ...(b ? b.stats() : {}), ...(sink ? sink.stats() : {}) }),
    pending: () => b?.pending() ?? 0,
  };
}
