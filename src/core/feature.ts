import type { Store, StoreOp } from './store.ts';
import type { Address, Button, IncomingMessage, Locale, OutgoingMessage, UserKey } from './types.ts';

/** Chat commands from the contract (whole-message match, Chinese and English aliases). */
export type Command = 'help' | 'survey' | 'lesson' | 'status' | 'cancel' | 'back' | 'skip' | 'human';

/** What one user turn carries into a feature. */
export type Input =
  /** A command; `arg` is what followed it (`调研 needs-diagnosis` → arg `needs-diagnosis`). */
  | { kind: 'command'; command: Command; arg?: string; text: string }
  /** Free text (the bot's mention already removed, trimmed, otherwise as typed). */
  | { kind: 'text'; text: string }
  /** A button's value (clicked, or typed as its number/label where the platform has no buttons). */
  | { kind: 'action'; value: string };

/** A feature's answer to one turn (tagged union; the router switches on `status`). */
export type Outcome = { status: 'handled'; replies: OutgoingMessage[] } | { status: 'pass' };

export const pass: Outcome = { status: 'pass' };
export const handled = (...replies: OutgoingMessage[]): Outcome => ({ status: 'handled', replies });

/** Per-user conversation state, read once and written once per turn. */
export interface Session {
  userKey: UserKey;
  locale: Locale;
  /** The flow waiting for this user's next answer, and its own state. */
  active?: { feature: string; data: unknown };
  /** Buttons of the last reply outside a flow, so `2` or a label works where buttons do not. */
  buttons?: Button[];
  /** Where to reach the user (last inbound address). */
  address?: Address;
  /** The last few turns (user and bot, oldest first, texts cut to 200 chars) — ticket context. */
  recent?: Array<{ at: number; from: 'user' | 'bot'; text: string }>;
  updatedAt: number;
}

/** Staged writes of one turn, committed atomically with the session at its end. */
export interface TurnTx {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  list<T>(collection: string, opts?: { prefix?: string }): Promise<Array<{ key: string; value: T }>>;
  put<T>(collection: string, key: string, value: T, opts?: { ttlMs?: number }): void;
  delete(collection: string, key: string): void;
  readonly ops: StoreOp[];
}

/** A message to someone other than the speaker (handler relay, ticket notice), sent via the outbox. */
export interface Push {
  to: UserKey | Address;
  message: OutgoingMessage;
  /** Sent at most once per key (e.g. `ticket:T12:breach`). */
  dedupeKey?: string;
}

/** Everything a feature may use in a turn. Features never send: they return replies and stage pushes. */
export interface TurnContext {
  readonly message: IncomingMessage;
  readonly userKey: UserKey;
  /** Turn time, ms since epoch (UTC), from the injected clock. */
  readonly now: number;
  readonly locale: Locale;
  session: Session;
  readonly tx: TurnTx;
  /** Read-only store access for lookups outside the staged overlay. */
  readonly store: Store;
  push(p: Push): void;
}

/**
 * A bot capability (survey, FAQ, lessons, tickets, milestones). The router calls `handle` with
 * `stage`: `action` for its own buttons (values prefixed `<name>:`), `flow` when it owns the
 * active flow, `message` for every other command or text (return `pass` if not yours).
 */
export interface Feature {
  readonly name: string;
  handle(stage: 'action' | 'flow' | 'message', input: Input, ctx: TurnContext): Promise<Outcome>;
  /** One help line in the user's locale, for `帮助`. */
  help?(locale: Locale): string | undefined;
}
