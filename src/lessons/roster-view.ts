import type { Store } from '../core/store.ts';
import type { Locale, UserKey } from '../core/types.ts';

/**
 * The roster as the lessons, milestones and survey-reminder jobs read it: collection `roster`,
 * key = platform-prefixed user key (`wecom:zhangsan`), value as the roster module writes it.
 * Read-only here; import and edits belong to src/roster/.
 */
export interface RosterPerson {
  userKey: UserKey;
  name: string;
  department?: string;
  roles: string[];
  /** The manager's user key. */
  manager?: UserKey;
  /** IANA zone; the caller falls back to `BOT_TIMEZONE`. */
  timezone?: string;
  locale?: Locale;
}

interface RosterDoc {
  userId?: string;
  name?: string;
  department?: string;
  roles?: string[] | string;
  manager?: string;
  timezone?: string;
  locale?: string;
}

/** Roster collection name (owned by src/roster/). */
export const ROSTER = 'roster';

function toPerson(key: string, v: RosterDoc): RosterPerson {
  const roles = Array.isArray(v.roles)
    ? v.roles
    : typeof v.roles === 'string'
      ? v.roles.split(/[;、,，]/)
      : [];
  return {
    userKey: key,
    name: v.name?.trim() || key,
    department: v.department?.trim() || undefined,
    roles: roles.map((r) => r.trim()).filter(Boolean),
    manager: v.manager?.trim() || undefined,
    timezone: v.timezone?.trim() || undefined,
    locale: v.locale === 'en' || v.locale === 'zh-CN' ? v.locale : undefined,
  };
}

/** Everyone in the roster, in key order. */
export async function readRoster(store: Pick<Store, 'list'>): Promise<RosterPerson[]> {
  return (await store.list<RosterDoc>(ROSTER)).map((e) => toPerson(e.key, e.value));
}

/** One roster entry, or undefined when the user is not in the roster. */
export async function readPerson(
  store: Pick<Store, 'get'>,
  userKey: UserKey,
): Promise<RosterPerson | undefined> {
  const v = await store.get<RosterDoc>(ROSTER, userKey);
  return v ? toPerson(userKey, v) : undefined;
}
