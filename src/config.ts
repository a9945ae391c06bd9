import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './core/errors.ts';

/**
 * Configuration, read once from the environment (`process.env` unless given), validated with
 * zod, frozen. Every problem is reported at once, each naming its variable.
 * Variables and defaults: `../shared/CONTRACT.md` and `.env.example`.
 * @throws {ConfigError} code `config_invalid`, listing every bad variable.
 */
const optStr = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (def: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? def : v.trim().replace(/\/+$/, '')))
    .pipe(z.url());

const timeZone = z
  .string()
  .optional()
  .transform((v) => v || 'Asia/Shanghai')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not an IANA time zone (e.g. Asia/Shanghai)' },
  );

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(/[,;\s]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );

const num = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? def : Number(v)))
    .pipe(z.number().min(min).max(max));

const hhmm = (def: string) =>
  z
    .string()
    .optional()
    .transform((v) => v || def)
    .refine((v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), { message: 'expected HH:MM (24 h)' });

const EnvSchema = z.object({
  PORT: num(3000, 0, 65535).pipe(z.number().int('expected a whole port number')),
  HOST: z.string().optional().default('127.0.0.1'),
  DATA_DIR: z.string().optional().default('./data'),
  FLOWS_DIR: z.string().optional().default('./flows'),
  BOT_TIMEZONE: timeZone,
  STORE: z.enum(['lowdb', 'memory', 'postgres']).optional().default('lowdb'),
  DATABASE_URL: optStr,
  ADMIN_TOKEN: optStr,
  SCHEDULER: z.enum(['on', 'off']).optional().default('on'),
  DEV_CHAT: z
    .enum(['on', 'off', ''])
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional().default('info'),
  BODY_LIMIT: z.string().optional().default('1mb'),
  // Outbox sends in flight at once per platform (src/core/outbox-types.ts `maxInFlight`); unset:
  // the per-platform defaults (32, WeCom 8).
  OUTBOX_MAX_IN_FLIGHT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : Number(v)))
    .pipe(z.number().int().min(1).max(1000).optional()),

  WECOM_CORP_ID: optStr,
  WECOM_AGENT_ID: optStr.refine((v) => v === undefined || /^\d+$/.test(v), {
    message: "AgentId must be the app's number (应用 AgentId)",
  }),
  WECOM_SECRET: optStr,
  WECOM_TOKEN: optStr,
  WECOM_ENCODING_AES_KEY: optStr.refine((v) => v === undefined || /^[A-Za-z0-9+/]{43}$/.test(v), {
    message: 'EncodingAESKey must be 43 characters of base64 (from the WeCom console)',
  }),
  WECOM_API_BASE: url('https://qyapi.weixin.qq.com'),

  DINGTALK_CLIENT_ID: optStr,
  DINGTALK_CLIENT_SECRET: optStr,
  DINGTALK_ROBOT_CODE: optStr,
  DINGTALK_MODE: z.enum(['stream', 'http']).optional().default('stream'),
  DINGTALK_API_BASE: url('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE: url('https://oapi.dingtalk.com'),
  DINGTALK_CARD_TEMPLATE_ID: optStr,
  DINGTALK_GROUP_WEBHOOK: optStr,
  DINGTALK_GROUP_SECRET: optStr,
  /** The DingTalk bot's display name(s), comma-separated: a leftover `@name` in group text is removed. */
  DINGTALK_BOT_NAME: optStr,

  FEISHU_APP_ID: optStr,
  FEISHU_APP_SECRET: optStr,
  FEISHU_VERIFICATION_TOKEN: optStr,
  FEISHU_ENCRYPT_KEY: optStr,
  FEISHU_API_BASE: url('https://open.feishu.cn'),
  FEISHU_BOT_OPEN_ID: optStr,

  SLACK_SIGNING_SECRET: optStr,
  SLACK_BOT_TOKEN: optStr,
  SLACK_API_URL: url('https://slack.com/api'),

  // FAQ confidence (0–1, src/faq/confidence.ts: σ(ln matched − FAQ_UNKNOWN_PENALTY·ln(1+unknown)
  // − FAQ_UNMATCHED_PENALTY·ln(1+unmatched) + FAQ_MARGIN_WEIGHT·ln(best/second)
  // + FAQ_CONCEPT_WEIGHT·ln(concepts matched))), the hard best/second score-ratio gate and the
  // did-you-mean floor (src/faq/decide.ts). Calibrated on ../shared/eval/faq-dev with
  // `npm run eval:faq -- --calibrate` (src/faq/calibrate.ts): the weights and answer threshold with
  // the most right answers at ≤ 5 % false answers (the grid's fit on all 170 questions: 85.7 %
  // top-1 at 1/30 false; the more cautious 0.3 / unmatched 0.3 / margin weight 0 gave 84.3 % at
  // 0/30; both 84–85 % in a 2-fold CV by entry). Gate 1 (off): since the ranking counts matched
  // concepts, a 1.1 gate only turned right answers into did-you-mean lists (84.3 → 79.3 % top-1).
  FAQ_ANSWER_THRESHOLD: num(0.37, 0, 1),
  FAQ_MARGIN: num(1, 1, 100),
  FAQ_SUGGEST_FLOOR: num(0.1, 0, 1),
  FAQ_UNKNOWN_PENALTY: num(1, 0, 10),
  FAQ_UNMATCHED_PENALTY: num(0, 0, 10),
  FAQ_MARGIN_WEIGHT: num(0.6, 0, 10),
  FAQ_CONCEPT_WEIGHT: num(1, 0, 10),

  TICKET_HANDLERS: csv,
  TICKET_LEAD: optStr,
  TICKET_VENDOR: optStr,
  TICKET_SLA_HOURS: num(4, 0.01, 1000),
  TICKET_SLA_CALENDAR: z.enum(['working', 'natural']).optional().default('working'),
  WORK_HOURS: z
    .string()
    .optional()
    .default('09:00-12:00,13:00-18:00')
    .refine((v) => /^(\d\d:\d\d-\d\d:\d\d)(,\d\d:\d\d-\d\d:\d\d)*$/.test(v), {
      message: 'expected ranges like 09:00-12:00,13:00-18:00',
    }),

  QUIET_HOURS_START: hhmm('21:00'),
  QUIET_HOURS_END: hhmm('08:00'),
  CATCH_UP_HORIZON_HOURS: num(6, 0, 24 * 14),
  LESSON_NUDGE_AFTER_DAYS: num(2, 1, 60),
  PROJECT_GROUP: optStr,
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  /** Resolved: whether `/dev/*` is served (default on when HOST is loopback). */
  devChat: boolean;
  schedulerOn: boolean;
  wecom?: {
    corpId: string;
    agentId: string;
    secret: string;
    token: string;
    encodingAESKey: string;
    apiBase: string;
  };
  dingtalk?: {
    clientId: string;
    clientSecret: string;
    robotCode: string;
    mode: 'stream' | 'http';
    apiBase: string;
    oapiBase: string;
    cardTemplateId?: string;
  };
  feishu?: {
    appId: string;
    appSecret: string;
    verificationToken?: string;
    encryptKey?: string;
    apiBase: string;
    botOpenId?: string;
  };
  slack?: { signingSecret: string; botToken: string; apiUrl: string };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Groups of variables that switch an adapter on; all or none must be set. */
const GROUPS: Record<string, string[]> = {
  wecom: ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'],
  dingtalk: ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET'],
  feishu: ['FEISHU_APP_ID', 'FEISHU_APP_SECRET'],
  slack: ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'],
};

/**
 * Loads `./.env` (or `$ENV_FILE`) into `process.env` when present, without overriding variables
 * already set in the environment.
 */
export function loadDotEnv(file = process.env.ENV_FILE ?? '.env'): void {
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  for (const [k, v] of Object.entries(before)) process.env[k] = v;
}

/**
 * Parses and validates configuration.
 * @param env variables (default `process.env`)
 * @throws {ConfigError} with one line per problem, each starting with the variable name.
 */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): Readonly<Config> {
  // An empty value (`ADMIN_TOKEN=` as in .env.example) means "not set".
  const env = Object.fromEntries(
    Object.entries(rawEnv).filter(([, v]) => v !== undefined && v.trim() !== ''),
  ) as Record<string, string | undefined>;
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      problems.push(`${name}: ${issue.message}${env[name] !== undefined ? ` (got "${env[name]}")` : ''}`);
    }
  }
  for (const [platform, vars] of Object.entries(GROUPS)) {
    const set = vars.filter((v) => env[v]?.trim());
    if (set.length > 0 && set.length < vars.length) {
      for (const v of vars.filter((x) => !set.includes(x)))
        problems.push(`${v}: required to enable ${platform} (set with ${set.join(', ')})`);
    }
  }
  if (env.STORE === 'postgres' && !env.DATABASE_URL)
    problems.push('DATABASE_URL: required when STORE=postgres');
  if (env.FEISHU_APP_ID && !env.FEISHU_ENCRYPT_KEY && !env.FEISHU_VERIFICATION_TOKEN)
    problems.push(
      'FEISHU_VERIFICATION_TOKEN: required when FEISHU_ENCRYPT_KEY is not set (nothing else authenticates Feishu events)',
    );
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const cfg: Config = {
    ...e,
    devChat: e.DEV_CHAT ? e.DEV_CHAT === 'on' : LOOPBACK.test(e.HOST),
    schedulerOn: e.SCHEDULER === 'on',
    wecom: e.WECOM_CORP_ID
      ? {
          corpId: e.WECOM_CORP_ID,
          agentId: e.WECOM_AGENT_ID!,
          secret: e.WECOM_SECRET!,
          token: e.WECOM_TOKEN!,
          encodingAESKey: e.WECOM_ENCODING_AES_KEY!,
          apiBase: e.WECOM_API_BASE,
        }
      : undefined,
    dingtalk: e.DINGTALK_CLIENT_ID
      ? {
          clientId: e.DINGTALK_CLIENT_ID,
          clientSecret: e.DINGTALK_CLIENT_SECRET!,
          robotCode: e.DINGTALK_ROBOT_CODE ?? e.DINGTALK_CLIENT_ID,
          mode: e.DINGTALK_MODE,
          apiBase: e.DINGTALK_API_BASE,
          oapiBase: e.DINGTALK_OAPI_BASE,
          cardTemplateId: e.DINGTALK_CARD_TEMPLATE_ID,
        }
      : undefined,
    feishu: e.FEISHU_APP_ID
      ? {
          appId: e.FEISHU_APP_ID,
          appSecret: e.FEISHU_APP_SECRET!,
          verificationToken: e.FEISHU_VERIFICATION_TOKEN,
          encryptKey: e.FEISHU_ENCRYPT_KEY,
          apiBase: e.FEISHU_API_BASE,
          botOpenId: e.FEISHU_BOT_OPEN_ID,
        }
      : undefined,
    slack: e.SLACK_SIGNING_SECRET
      ? { signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN!, apiUrl: e.SLACK_API_URL }
      : undefined,
  };
  return Object.freeze(cfg);
}
