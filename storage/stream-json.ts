/**
 * Incremental JSON serialization: one large JSON object produced as a sequence of string
 * chunks, each built within a small budget. A consumer that awaits I/O between chunks (see
 * `writeFileAtomicChunks`) lets the event loop run — webhook acks, timers, journal commits —
 * while a 100+ MB `db.json` is written, instead of blocking it for seconds in one
 * `JSON.stringify`.
 *
 * The output is byte-identical to `JSON.stringify` (no indentation) of the same members in
 * the same order: every key and every leaf value goes through `JSON.stringify` itself, so
 * escaping and number formatting cannot drift.
 */

/**
 * An object whose members are serialized one at a time, pulled lazily from `entries`. A
 * member value may itself be a `JsonMembers` (nested, also streamed) or any JSON value
 * (serialized whole, with `JSON.stringify`). Members whose value is `undefined`, a function
 * or a symbol are left out, as `JSON.stringify` does.
 */
export class JsonMembers {
  constructor(readonly entries: Iterable<readonly [string, unknown]>) {}
}

/** When {@link jsonChunks} hands over a chunk: whichever limit is reached first. */
export interface ChunkBudget {
  /** Emit once the chunk holds this many UTF-16 code units. Default 64 Ki (64–192 KiB of UTF-8). */
  chars?: number;
  /** Emit once building the chunk took this long, in ms (checked every 32 members). Default 4 ms. */
  ms?: number;
}

// 64 Ki: ~1–1.5 ms of serializing on the bench machine (256 Ki took 5–8 ms a chunk and was
// no faster in total).
const DEFAULT_CHARS = 64 * 1024;
const DEFAULT_MS = 4;
const TIME_CHECK_EVERY = 32;

const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * Serializes `value` lazily: each `next()` builds one chunk (at least one member, so a single
 * member larger than the budget makes one larger chunk) and yields it; nothing is built
 * ahead. Joined, the chunks are the JSON text of `value`. Entries are read as the chunks are
 * pulled, so the caller must keep them unchanged until the generator is done (capture first).
 * A leaf value's `toJSON` is called with key `''`.
 * @param value a {@link JsonMembers} (streamed) or a plain JSON value (one chunk).
 * @param budget chunk size limits; see {@link ChunkBudget}.
 * @throws {TypeError} when a value cannot be serialized (BigInt, cycles), or when `value`
 *   itself serializes to nothing (`undefined`, a function, a symbol) — thrown from `next()`.
 */
export function* jsonChunks(value: unknown, budget: ChunkBudget = {}): Generator<string, void, undefined> {
  const maxChars = budget.chars ?? DEFAULT_CHARS;
  const maxMs = budget.ms ?? DEFAULT_MS;
  const stack: Array<{ it: Iterator<readonly [string, unknown]>; first: boolean }> = [];
  let buf = '';
  const begin = (v: unknown): void => {
    if (v instanceof JsonMembers) {
      buf += '{';
      stack.push({ it: v.entries[Symbol.iterator](), first: true });
    } else {
      const json = JSON.stringify(v) as string | undefined;
      if (json === undefined) throw new TypeError(`cannot serialize ${typeof v} as JSON`);
      buf += json;
    }
  };
  begin(value);
  let since = performance.now();
  let members = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = top.it.next();
    if (next.done) {
      buf += '}';
      stack.pop();
      continue;
    }
    const [key, v] = next.value;
    if (skipped(v)) continue;
    buf += top.first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`;
    top.first = false;
    begin(v);
    if (
      buf.length >= maxChars ||
      (++members % TIME_CHECK_EVERY === 0 && performance.now() - since >= maxMs)
    ) {
      yield buf;
      buf = '';
      since = performance.now();
    }
  }
  if (buf.length > 0) yield buf;
}
