import { z } from 'zod';
import { isValidTimeZone } from '../calendar/time.ts';
import type { Locale, UserKey } from '../core/types.ts';
import { parseUserKey } from '../core/types.ts';

/** Store collection of roster users; key = user key (`wecom:zhangsan`, `dev:u1`). */
export const ROSTER_COLLECTION = 'roster';

/** One person in the roster (who is who: lessons by role, milestone owners, managers). */
export interface RosterUser {
  /** Platform-prefixed user key, as in responses: `wecom:zhangsan`, `slack:U0123`, `dev:u1`. */
  userId: UserKey;
  name: string;
  department?: string;
  /** Lesson-track roles, e.g. `仓库管理员`; empty when not known yet (the bot asks in chat). */
  roles: string[];
  /** The manager's user key (weekly summaries of unfinished lessons go there). */
  manager?: UserKey;
  /** IANA zone for this user's schedules; `BOT_TIMEZONE` when absent. */
  timezone?: string;
  locale?: Locale;
  /** Last change, ms UTC. */
  updatedAt: number;
}

/** Fields an import row or API object may set (everything but `updatedAt`). */
export type RosterFields = Omit<RosterUser, 'updatedAt'>;

/** True for a platform-prefixed user key (`wecom:zhangsan`). */
export function isUserKey(s: string): boolean {
  try {
    return parseUserKey(s).userId.length > 0;
  } catch {
    return false;
  }
}

/** Splits a roles cell: `仓库管理员;财务`, `仓库管理员、财务` (also `；` and `，`). */
export function splitRoles(v: string | string[] | undefined): string[] {
  const parts = Array.isArray(v) ? v : (v ?? '').split(/[;；、,，]/);
  const out: string[] = [];
  for (const p of parts.map((x) => x.normalize('NFKC').trim())) if (p && !out.includes(p)) out.push(p);
  return out;
}

const LOCALES: Record<string, Locale> = {
  zh: 'zh-CN',
  'zh-cn': 'zh-CN',
  中文: 'zh-CN',
  en: 'en',
  'en-us': 'en',
  english: 'en',
  英文: 'en',
};

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().max(200).optional());
const userKey = z
  .string()
  .trim()
  .refine(isUserKey, { message: 'must be a platform-prefixed user id such as wecom:zhangsan or dev:u1' });

/**
 * One roster entry as given by an import row or `POST /api/roster` (zod). `name` is required
 * only for a new user (checked by the upsert). Unknown fields are rejected.
 */
export const RosterInputSchema = z
  .object({
    userId: userKey,
    name: optionalText,
    department: optionalText,
    roles: z.preprocess(
      (v) => (v === undefined || v === null ? undefined : splitRoles(v as string | string[])),
      z.array(z.string().max(50)).optional(),
    ),
    manager: z.preprocess(blankToUndefined, userKey.optional()),
    timezone: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .refine(isValidTimeZone, { message: 'not an IANA time zone (e.g. Asia/Shanghai)' })
        .optional(),
    ),
    locale: z.preprocess(
      (v) =>
        typeof v === 'string' ? (v.trim() === '' ? undefined : (LOCALES[v.trim().toLowerCase()] ?? v)) : v,
      z.enum(['zh-CN', 'en']).optional(),
    ),
  })
  .strict();

export type RosterInput = z.infer<typeof RosterInputSchema>;

/** Readable one-line reasons from a zod error (`timezone: not an IANA time zone`). */
export function zodReasons(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}
