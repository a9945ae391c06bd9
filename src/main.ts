import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Router } from 'express';
import { createDevAdapter, devMessage } from '../adapters/dev/index.ts';
import { createDingtalkAdapter } from '../adapters/dingtalk/index.ts';
import { createFeishuAdapter } from '../adapters/feishu/index.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createWecomAdapter } from '../adapters/wecom/index.ts';
import { createStore } from '../storage/index.ts';
import { createWorkCalendar, localDate } from './calendar/index.ts';
import { type Config, loadConfig, loadDotEnv } from './config.ts';
import { type Content, loadContent } from './content/load-all.ts';
import { type Adapter, type AdapterContext, createLogger, type Logger } from './core/adapter.ts';
import { Bot } from './core/bot.ts';
import { BotError } from './core/errors.ts';
import type { Feature } from './core/feature.ts';
import type { Job } from './core/jobs.ts';
import { Outbox } from './core/outbox.ts';
import { watchLauncher } from './core/process.ts';
import type { Store } from './core/store.ts';
import { type Clock, systemClock } from './core/types.ts';
import { createFaqApi, createFaqFeature, createFaqIndex, type FaqIndex, watchFaq } from './faq/index.ts';
import { createHttpApp, listen } from './http/server.ts';
import { createLessonFeature, createLessonsApi, createLessonsJob } from './lessons/index.ts';
import { renderMetrics } from './metrics.ts';
import {
  createDigestJob,
  createMilestoneFeature,
  createMilestonesApi,
  createMilestonesJob,
} from './milestones/index.ts';
import { createRosterApi, createRosterFeature } from './roster/index.ts';
import { createJobsApi, createScheduler, type Scheduler } from './scheduler/index.ts';
import { createSurveyApi, createSurveyFeature } from './survey/index.ts';
import { createSurveyRemindersApi, createSurveyRemindersJob } from './survey-reminders/index.ts';
import { createTicketApi, createTicketFeature, createTicketSlaJob, tagCategorizer } from './tickets/index.ts';

export interface AppOptions {
  config: Readonly<Config>;
  clock?: Clock;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
  log?: Logger;
  /** Start platform long connections (DingTalk Stream). Default true. */
  connect?: boolean;
  /** lowdb: wait this long (ms) for a previous server to release `db.lock`. Default 0. */
  lockWaitMs?: number;
}

/** The running bot: every part, for the CLI, tests and graceful shutdown. */
export interface App {
  config: Readonly<Config>;
  store: Store;
  bot: Bot;
  outbox: Outbox;
  scheduler: Scheduler;
  content: Content;
  adapters: Adapter[];
  http: ReturnType<typeof createHttpApp>;
  /** Runs a local-chat turn (same path as `POST /dev/chat`). */
  devTurn: Parameters<typeof createDevAdapter>[0]['turn'];
  /** Starts the outbox, adapters' connections and the scheduler (not the HTTP listener). */
  start(): Promise<void>;
  /** Listens on HOST:PORT; resolves the URL. */
  listen(): Promise<string>;
  /** Graceful stop: stop intake, finish in-flight turns, stop timers, flush and close the store. */
  stop(): Promise<void>;
}

/**
 * The composition root: config → store → content → calendar → features → adapters → jobs →
 * HTTP. Nothing else wires parts together.
 * @throws {ContentError} when flow content is invalid (the process must not start).
 * @throws {StoreCorruptError} when the store file is unreadable (it is left untouched).
 */
export async function createApp(opts: AppOptions): Promise<App> {
  const cfg = opts.config;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(cfg.LOG_LEVEL);
  const content = await loadContent(cfg.FLOWS_DIR);
  const store =
    opts.store ??
    (await createStore({
      store: cfg.STORE,
      dataDir: cfg.DATA_DIR,
      clock,
      log,
      lockWaitMs: opts.lockWaitMs,
    }));
  try {
    return await assemble(opts, cfg, clock, log, content, store);
  } catch (e) {
    // Never leave the store (and its lock) open behind a failed start.
    if (!opts.store) await store.close().catch(() => undefined);
    throw e;
  }
}

async function assemble(
  opts: AppOptions,
  cfg: Readonly<Config>,
  clock: Clock,
  log: Logger,
  content: Content,
  store: Store,
): Promise<App> {
  const tz = cfg.BOT_TIMEZONE;
  const calendar = createWorkCalendar({
    overrides: content.calendar,
    log,
    nowYmd: localDate(clock.now(), tz),
  });
  const quiet = { start: cfg.QUIET_HOURS_START, end: cfg.QUIET_HOURS_END };
  const outbox = new Outbox({ store, clock, log, maxInFlight: cfg.OUTBOX_MAX_IN_FLIGHT });

  let faqIndex: FaqIndex = createFaqIndex(content.faq);
  const thresholds = {
    answer: cfg.FAQ_ANSWER_THRESHOLD,
    margin: cfg.FAQ_MARGIN,
    suggestFloor: cfg.FAQ_SUGGEST_FLOOR,
    weights: {
      unknownPenalty: cfg.FAQ_UNKNOWN_PENALTY,
      unmatchedPenalty: cfg.FAQ_UNMATCHED_PENALTY,
      marginWeight: cfg.FAQ_MARGIN_WEIGHT,
      conceptWeight: cfg.FAQ_CONCEPT_WEIGHT,
    },
  };
  const roles = [...new Set(content.tracks.map((t) => t.role))];
  // Order matters: the router offers free text to features in this order; FAQ takes the rest.
  const features: Feature[] = [
    createRosterFeature({ roles }),
    createTicketFeature({
      config: cfg,
      calendar,
      categorize: tagCategorizer((q: string) => faqIndex.search(q, 3)),
    }),
    createSurveyFeature({ surveys: content.surveys, timezone: tz, projectLead: cfg.PROJECT_GROUP }),
    createLessonFeature({ tracks: content.tracks }),
    createMilestoneFeature({ calendar, tz }),
    createFaqFeature({ index: () => faqIndex, store, clock, thresholds, slaHours: cfg.TICKET_SLA_HOURS }),
  ];
  const bot = new Bot({ store, outbox, features, clock, log });

  const devTurn: App['devTurn'] = (m) => bot.dispatch(devMessage(m));
  const adapters: Adapter[] = [createDevAdapter({ store, turn: devTurn, now: () => clock.now() })];
  if (cfg.wecom) adapters.push(createWecomAdapter(cfg.wecom, { clock, log, bodyLimit: cfg.BODY_LIMIT }));
  if (cfg.dingtalk || cfg.DINGTALK_GROUP_WEBHOOK) adapters.push(createDingtalkAdapter(cfg, { clock, log }));
  if (cfg.feishu) adapters.push(createFeishuAdapter(cfg.feishu, { clock, log, bodyLimit: cfg.BODY_LIMIT }));
  if (cfg.slack) adapters.push(createSlackAdapter(cfg.slack, { clock, log, bodyLimit: cfg.BODY_LIMIT }));
  for (const a of adapters) outbox.register(a);

  const lessonsJob = createLessonsJob({
    store,
    outbox,
    tracks: content.tracks,
    calendar,
    tz,
    quiet,
    nudgeAfterDays: cfg.LESSON_NUDGE_AFTER_DAYS,
    log,
  });
  const jobs: Job[] = [
    lessonsJob,
    createMilestonesJob({ store, outbox, calendar, tz, quiet, projectGroup: cfg.PROJECT_GROUP, log }),
    createSurveyRemindersJob({ store, outbox, calendar, tz, quiet, surveys: content.surveys, log }),
    createDigestJob({
      store,
      outbox,
      calendar,
      tz,
      tracks: content.tracks,
      projectGroup: cfg.PROJECT_GROUP,
      quiet,
      log,
    }),
    createTicketSlaJob({ store, outbox, config: cfg, calendar, quietHours: quiet }),
  ];
  const scheduler = createScheduler({
    store,
    jobs,
    clock,
    log,
    horizonMs: cfg.CATCH_UP_HORIZON_HOURS * 3_600_000,
    enabled: cfg.schedulerOn,
  });

  const ctx: AdapterContext = {
    dispatch: async (m) => {
      await bot.dispatch(m);
    },
    log,
  };
  const routes: Array<(r: Router) => void> = adapters
    .filter((a) => a.platform !== 'dev' || cfg.devChat)
    .map((a) => (r: Router) => a.mount?.(r, ctx));
  const outboxApi = (await import('express')).default.Router();
  outboxApi.get('/outbox/dead', async (_req, res) => {
    res.json(await outbox.dead());
  });
  outboxApi.get('/outbox/pending', async (_req, res) => {
    res.json(await outbox.pending());
  });
  const http = createHttpApp({
    routes,
    api: [
      createSurveyApi({ surveys: content.surveys, store }),
      createSurveyRemindersApi({ store, surveys: content.surveys, clock }),
      createFaqApi({ store, index: () => faqIndex }),
      createTicketApi({ store, clock, tz }),
      createRosterApi({ store, clock }),
      createLessonsApi({ store, tracks: content.tracks, clock }),
      createMilestonesApi({ store, templates: content.templates, calendar, tz, clock }),
      createJobsApi({ scheduler, calendar, tz, clock }),
      outboxApi,
    ],
    adminToken: cfg.ADMIN_TOKEN,
    health: () => store.ping(),
    metrics: () =>
      renderMetrics([
        { name: 'rollout_turns_total', help: 'User turns handled', type: 'counter', value: bot.stats.turns },
        {
          name: 'rollout_duplicates_total',
          help: 'Redeliveries dropped by dedupe',
          type: 'counter',
          value: bot.stats.duplicates,
        },
        {
          name: 'rollout_turn_failures_total',
          help: 'Turns that failed',
          type: 'counter',
          value: bot.stats.failed,
        },
        {
          name: 'rollout_outbox_sent_total',
          help: 'Messages accepted by platforms',
          type: 'counter',
          value: outbox.stats.sent,
        },
        {
          name: 'rollout_outbox_retries_total',
          help: 'Send retries',
          type: 'counter',
          value: outbox.stats.retried,
        },
        {
          name: 'rollout_outbox_dead_total',
          help: 'Messages dead-lettered',
          type: 'counter',
          value: outbox.stats.dead,
        },
        {
          name: 'rollout_outbox_deduped_total',
          help: 'Nudges skipped as already sent',
          type: 'counter',
          value: outbox.stats.deduped,
        },
      ]),
    log: (msg, data) => log.error(msg, data),
  });

  let server: Server | undefined;
  let stopWatch: (() => void) | undefined;
  return {
    config: cfg,
    store,
    bot,
    outbox,
    scheduler,
    content,
    adapters,
    http,
    devTurn,
    async start() {
      await outbox.start();
      if (opts.connect !== false) for (const a of adapters) await a.start?.(ctx);
      await lessonsJob.refreshZones();
      await scheduler.start();
      stopWatch = watchFaq(
        cfg.FLOWS_DIR,
        (idx: FaqIndex) => {
          faqIndex = idx;
          log.info('faq index rebuilt after a content change');
        },
        log,
      );
    },
    async listen() {
      const r = await listen(http, cfg.PORT, cfg.HOST);
      server = r.server;
      return r.url;
    },
    async stop() {
      stopWatch?.();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections?.();
      await bot.drain();
      await scheduler.stop();
      for (const a of adapters) await a.stop?.();
      await outbox.stop();
      await store.close();
    },
  };
}

/** `npm start`: read config, build, listen, print the URL; SIGTERM/SIGINT stop gracefully. */
async function main(): Promise<void> {
  let cfg: Readonly<Config>;
  try {
    loadDotEnv();
    cfg = loadConfig();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger(cfg.LOG_LEVEL);
  let app: App;
  try {
    // A restart right after a stop finds the old server still flushing: wait for it a little.
    app = await createApp({ config: cfg, log, lockWaitMs: LOCK_WAIT_MS });
  } catch (e) {
    process.stderr.write(`rollout-bot cannot start: ${startError(e)}\n`);
    process.exit(1);
  }
  try {
    await app.start();
  } catch (e) {
    process.stderr.write(`rollout-bot cannot start: ${startError(e)}\n`);
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
  let url: string;
  try {
    url = await app.listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE'
        ? `PORT: ${cfg.PORT} on ${cfg.HOST} is already in use`
        : err.code === 'ENOTFOUND' || err.code === 'EADDRNOTAVAIL'
          ? `HOST: cannot listen on "${cfg.HOST}" (${err.code})`
          : `cannot listen on ${cfg.HOST}:${cfg.PORT}: ${err.message}`;
    process.stderr.write(`rollout-bot cannot start: ${why}\n`);
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
  const platforms = app.adapters
    .filter((a) => a.platform !== 'dev' || cfg.devChat)
    .map((a) => a.platform)
    .join(', ');
  process.stdout.write(
    `rollout-bot listening on ${url} (platforms: ${platforms}; store: ${cfg.STORE} in ${cfg.DATA_DIR})\n`,
  );
  if (cfg.devChat) process.stdout.write(`local chat: POST ${url}/dev/chat  ·  npm run chat -- --user u1\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    try {
      await app.stop();
      process.exit(0);
    } catch (e) {
      log.error('shutdown failed', { error: String(e) });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Under `npm start` the launcher is npm, which passes SIGTERM/SIGINT on but cannot pass on a
  // SIGKILL: when it dies, this process is re-parented. Stop then as if told to, so the next
  // `npm start` does not find an orphaned server holding the port and the store lock.
  if (process.env.npm_lifecycle_event) watchLauncher(() => void shutdown('launcher exited'), ORPHAN_CHECK_MS);
}

/** How long `npm start` waits for a previous server to release the store lock, ms. */
const LOCK_WAIT_MS = 5000;
/** How often the server checks that its `npm start` launcher is still there, ms. */
const ORPHAN_CHECK_MS = 1000;

/** One line for start-up failures: our errors by message, others with their stack. */
function startError(e: unknown): string {
  if (e instanceof BotError || e instanceof RangeError) return e.message;
  return String((e as Error)?.stack ?? e);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
