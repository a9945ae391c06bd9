import { createHash } from 'node:crypto';
import type { Store, StoreOp } from './store.ts';
import type { Address, Button } from './types.ts';

/**
 * Collection of the newest buttons pushed to each user: key `<platform>:<userId>`, value
 * {@link OfferedDoc}; a typed number then stands for one of them (Bot, text-only platforms).
 */
export const OFFERED_BUTTONS = 'offered-buttons';
/** Button lists referenced by {@link OFFERED_BUTTONS} docs, stored once: key = sha1 of their JSON. */
export const OFFERED_BUTTON_SETS = 'offered-button-sets';

/** How long an offered-buttons doc is kept: 24 h (the Bot honours it for 30 min). */
const OFFERED_TTL_MS = 24 * 3_600_000;
/** A button list outlives every doc referring to it: rewritten when older than 1 h, kept 25 h. */
const SET_REWRITE_MS = 3_600_000;
const SET_TTL_MS = OFFERED_TTL_MS + SET_REWRITE_MS;

/**
 * A stored offered-buttons doc: `at` (ms UTC, when the platform accepted the message) and either
 * the buttons (older format) or `set`, the key of the list in {@link OFFERED_BUTTON_SETS}.
 */
export interface OfferedDoc {
  at: number;
  buttons?: Button[];
  set?: string;
}

/**
 * The newest buttons pushed to `userKey` (`<platform>:<userId>`), either doc format; undefined
 * when none (or the list expired).
 */
export async function readOfferedButtons(
  store: Pick<Store, 'get'>,
  userKey: string,
): Promise<{ at: number; buttons: Button[] } | undefined> {
  const doc = await store.get<OfferedDoc>(OFFERED_BUTTONS, userKey);
  if (!doc) return undefined;
  const buttons =
    doc.buttons ?? (doc.set ? await store.get<Button[]>(OFFERED_BUTTON_SETS, doc.set) : undefined);
  return buttons ? { at: doc.at, buttons } : undefined;
}

/**
 * Writes of the offered-buttons docs (the Outbox adds them to the batch that removes a sent
 * item). Each distinct button list is stored once — 10k users pushed the same lesson share one
 * list — and rewritten at most hourly, so it always outlives the docs that refer to it.
 */
export class OfferedButtons {
  /** When each list was last written, ms UTC (outbox clock). */
  private readonly written = new Map<string, number>();
  private readonly keys = new WeakMap<Button[], string>();

  /**
   * The writes recording that `to` was just offered `buttons`: none for groups, chats without a
   * user, or no buttons.
   * @param now ms UTC.
   */
  ops(to: Address, buttons: Button[] | undefined, now: number): StoreOp[] {
    if (!buttons?.length || !to.userId || to.chatType === 'group') return [];
    let set = this.keys.get(buttons);
    if (!set) {
      set = createHash('sha1').update(JSON.stringify(buttons)).digest('hex');
      this.keys.set(buttons, set);
    }
    const ops: StoreOp[] = [];
    const last = this.written.get(set);
    if (last === undefined || now - last >= SET_REWRITE_MS || now < last) {
      ops.push({ op: 'put', collection: OFFERED_BUTTON_SETS, key: set, value: buttons, ttlMs: SET_TTL_MS });
      this.written.set(set, now);
      // Forget lists not written for a day (they have expired from the store by then).
      for (const [k, at] of this.written) if (now - at > SET_TTL_MS) this.written.delete(k);
    }
    const value: OfferedDoc = { at: now, set };
    ops.push({
      op: 'put',
      collection: OFFERED_BUTTONS,
      key: `${to.platform}:${to.userId}`,
      value,
      ttlMs: OFFERED_TTL_MS,
    });
    return ops;
  }

  /** Undoes the bookkeeping of {@link ops} after its batch failed (the list may not be stored). */
  forget(ops: StoreOp[]): void {
    for (const op of ops) if (op.collection === OFFERED_BUTTON_SETS) this.written.delete(op.key);
  }
}
