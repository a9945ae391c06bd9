import type { Store } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import { type LessonProgress, PROGRESS, readAllProgress, type UserProgress } from './progress.ts';

/** Progress documents read per page by {@link withProgress}. */
const PAGE = 2_000;

/**
 * Each user of `users` with their progress, without reading all progress at once: the users are
 * taken in the order of `<userKey>/` and the progress collection is read page by page in key
 * order (a user's documents are the contiguous run of keys starting with `<userKey>/`), so
 * memory holds one page, not every user's history. Users come out in that order, not the
 * roster's. Falls back to reading everything ({@link readAllProgress}) when a user key contains
 * `/` (its run could then interleave with another user's).
 * @param users anything with a `userKey` (roster people).
 */
export async function* withProgress<U extends { userKey: UserKey }>(
  store: Pick<Store, 'list'>,
  users: readonly U[],
  page = PAGE,
): AsyncGenerator<[U, UserProgress]> {
  if (users.some((u) => u.userKey.includes('/'))) {
    const all = await readAllProgress(store);
    for (const u of users) yield [u, all.get(u.userKey) ?? new Map()];
    return;
  }
  const ordered = users
    .map((u) => ({ u, prefix: `${u.userKey}/` }))
    .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  let rows: Array<{ key: string; value: LessonProgress }> = [];
  let at = 0;
  let after: string | undefined;
  let done = false;
  /** The next document, reading a page when the current one is used up; undefined at the end. */
  const peek = async () => {
    if (at < rows.length) return rows[at];
    if (done) return undefined;
    rows = await store.list<LessonProgress>(PROGRESS, { after, limit: page });
    at = 0;
    if (rows.length < page) done = true;
    if (rows.length) after = rows.at(-1)!.key;
    return rows[0];
  };
  for (const { u, prefix } of ordered) {
    const progress: UserProgress = new Map();
    for (let r = await peek(); r && r.key < prefix; r = await peek()) at++; // no such user
    for (let r = await peek(); r?.key.startsWith(prefix); r = await peek()) {
      const rest = r.key.slice(prefix.length);
      if (rest.split('/').length === 2) progress.set(rest, r.value); // `<trackId>/<lessonId>`
      at++;
    }
    yield [u, progress];
  }
}
