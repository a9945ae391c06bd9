import type { Store, StoreOp } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import { ROSTER_COLLECTION, type RosterFields, type RosterInput, type RosterUser } from './types.ts';

/** The roster user with that key, or `undefined`. */
export async function getRosterUser(
  store: Pick<Store, 'get'>,
  userKey: UserKey,
): Promise<RosterUser | undefined> {
  return store.get<RosterUser>(ROSTER_COLLECTION, userKey);
}

/**
 * Roster users in user-key order, optionally only those with `role` and/or in `department`.
 * Reads the whole collection (10k users: a few ms in memory).
 */
export async function listRoster(
  store: Pick<Store, 'list'>,
  filter: { role?: string; department?: string } = {},
): Promise<RosterUser[]> {
  const all = (await store.list<RosterUser>(ROSTER_COLLECTION)).map((e) => e.value);
  return all.filter(
    (u) =>
      (!filter.role || u.roles.includes(filter.role)) &&
      (!filter.department || u.department === filter.department),
  );
}

/** Result of an upsert; `errors` carry the caller's index (API) or line (import). */
export interface UpsertPlan {
  ops: StoreOp[];
  imported: number;
  updated: number;
  unchanged: number;
  problems: Array<{ index: number; problem: string }>;
}

/**
 * Plans an upsert by `userId`: a new user is created (needs `name`); an existing one gets the
 * fields listed in `present` replaced (a present-but-empty field clears it) and keeps the rest.
 * Re-importing never duplicates: the key is the user key. Nothing is written here; the caller
 * applies `ops` in one atomic `batch`.
 * @param entries validated inputs with the set of fields the source had (columns or JSON keys).
 * @param now ms UTC, stamped as `updatedAt` on changed users.
 */
export async function planUpsert(
  store: Pick<Store, 'get'>,
  entries: Array<{ input: RosterInput; present: ReadonlySet<string>; index: number }>,
  now: number,
): Promise<UpsertPlan> {
  const plan: UpsertPlan = { ops: [], imported: 0, updated: 0, unchanged: 0, problems: [] };
  const staged = new Map<string, RosterUser>();
  for (const { input, present, index } of entries) {
    const before = staged.get(input.userId) ?? (await getRosterUser(store, input.userId));
    if (!before && !input.name) {
      plan.problems.push({ index, problem: 'name: required for a new user' });
      continue;
    }
    const next: RosterUser = before
      ? { ...before }
      : { userId: input.userId, name: input.name!, roles: [], updatedAt: now };
    for (const field of ['name', 'department', 'roles', 'manager', 'timezone', 'locale'] as const) {
      if (!present.has(field)) continue;
      const v = input[field];
      if (field === 'name' && !v) continue; // a name is never cleared
      if (v === undefined) delete (next as Partial<RosterFields>)[field];
      else (next as unknown as Record<string, unknown>)[field] = v;
    }
    if (!next.roles) next.roles = [];
    if (before && sameUser(before, next)) {
      if (!staged.has(input.userId)) plan.unchanged++;
      continue;
    }
    next.updatedAt = now;
    if (!staged.has(input.userId)) {
      if (before) plan.updated++;
      else plan.imported++;
    }
    staged.set(input.userId, next);
  }
  for (const [key, value] of staged) plan.ops.push({ op: 'put', collection: ROSTER_COLLECTION, key, value });
  return plan;
}

function sameUser(a: RosterUser, b: RosterUser): boolean {
  const strip = ({ updatedAt: _, ...rest }: RosterUser) => JSON.stringify(rest, Object.keys(rest).sort());
  return strip(a) === strip(b);
}
