import type { Logger } from './adapter.ts';
import { silentLogger } from './adapter.ts';
import { cloneValue } from './clone.ts';
import { parseCommand } from './commands.ts';
import type { Feature, Input, Outcome, Push, Session, TurnContext, TurnTx } from './feature.ts';
import { defineMessages, t } from './i18n.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { type Outbox, readOfferedButtons } from './outbox.ts';
import type { Store, StoreOp } from './store.ts';
import type { Clock, IncomingMessage, Locale, OutgoingMessage } from './types.ts';
import { directAddress, systemClock, userKeyOf } from './types.ts';

/** How long a platform message id is remembered for dedupe: 48 h (issue asks ≥ 24 h). */
export const DEDUPE_TTL_MS = 48 * 3600_000;
/** A typed number maps to the last offered buttons only this long after they were offered (30 min). */
export const BUTTONS_TTL_MS = 30 * 60_000;
/** How many recent lines (user + bot) a session keeps for ticket context. */
export const RECENT_TURNS = 8;

const M = defineMessages({
  help: {
    'zh-CN': '您好，我是信息化小助手。可以回复：\n{lines}\n或直接输入您的问题。',
    en: 'Hi, I am the rollout assistant. You can reply:\n{lines}\nor just type your question.',
  },
  noStatus: {
    'zh-CN': '您目前没有进行中的调研。回复「调研」开始需求诊断，回复「课程」查看微课进度。',
    en: 'You have no survey in progress. Reply "survey" to start the needs diagnosis, or "lesson" to see your lessons.',
  },
  unsupported: {
    'zh-CN': '暂时只能看懂文字消息。请用文字描述您的问题，或回复「帮助」。',
    en: 'I can only read text for now. Please type your question, or reply "help".',
  },
  error: {
    'zh-CN': '抱歉，处理您的消息时出了点问题，请稍后再试。',
    en: 'Sorry, something went wrong handling your message. Please try again shortly.',
  },
});

/** Result of one dispatched message. */
export type DispatchResult =
  | { status: 'duplicate' }
  | { status: 'done'; replies: OutgoingMessage[] }
  | { status: 'failed'; error: unknown };

export interface BotOptions {
  store: Store;
  outbox: Outbox;
  features: Feature[];
  clock?: Clock;
  log?: Logger;
  /** Default locale for new users. */
  locale?: Locale;
}

/**
 * The bot core: dedupe → per-user queue → load session once → route → write once → outbox.
 * See `../shared/STYLE.md` "One inbound message".
 */
export class Bot {
  readonly store: Store;
  readonly outbox: Outbox;
  readonly features: Feature[];
  readonly clock: Clock;
  readonly log: Logger;
  private readonly queue = new KeyedQueue();
  private readonly defaultLocale: Locale;
  private accepting = true;
  /** Counters for `/metrics`. */
  readonly stats = { turns: 0, duplicates: 0, failed: 0 };

  constructor(opts: BotOptions) {
    this.store = opts.store;
    this.outbox = opts.outbox;
    this.features = opts.features;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.defaultLocale = opts.locale ?? 'zh-CN';
  }

  /**
   * Handles one inbound message. A platform message id already seen in the last
   * {@link DEDUPE_TTL_MS} is dropped (`duplicate`). Replies go to the outbox, except for the
   * local chat (`dev`), whose replies are returned to the HTTP caller instead.
   * Never throws: failures are logged, the dedupe mark is released so a platform retry can
   * succeed, and `failed` is returned.
   */
  async dispatch(message: IncomingMessage): Promise<DispatchResult> {
    if (!this.accepting) return { status: 'failed', error: new Error('shutting down') };
    const dedupeKey = `${message.platform}:${message.id}`;
    const now = this.clock.now();
    const fresh = await this.store.claim('dedupe', dedupeKey, { at: now }, { ttlMs: DEDUPE_TTL_MS });
    if (!fresh) {
      this.stats.duplicates++;
      this.log.info('duplicate delivery dropped', { key: dedupeKey });
      return { status: 'duplicate' };
    }
    const userKey = userKeyOf(message.platform, message.userId);
    try {
      const replies = await this.queue.run(userKey, () => this.turn(message));
      this.stats.turns++;
      return { status: 'done', replies };
    } catch (error) {
      this.stats.failed++;
      this.log.error('turn failed', { key: dedupeKey, error: String((error as Error)?.stack ?? error) });
      await this.store.delete('dedupe', dedupeKey).catch(() => undefined);
      return { status: 'failed', error };
    }
  }

  /** Stops taking new messages and waits for turns in flight (graceful shutdown). */
  async drain(): Promise<void> {
    this.accepting = false;
    await this.queue.idle();
  }

  private async turn(message: IncomingMessage): Promise<OutgoingMessage[]> {
    const now = this.clock.now();
    const userKey = userKeyOf(message.platform, message.userId);
    const stored = await this.store.get<Session>('sessions', userKey);
    const session: Session = stored ?? {
      userKey,
      locale: message.locale ?? this.defaultLocale,
      updatedAt: now,
    };
    if (message.locale) session.locale = message.locale;
    session.address = message.address;
    const tx = new Tx(this.store);
    const pushes: Push[] = [];
    const ctx: TurnContext = {
      message,
      userKey,
      now,
      locale: session.locale,
      session,
      tx,
      store: this.store,
      push: (p) => pushes.push(p),
    };
    const replies = await this.route(ctx);
    session.updatedAt = now;
    const said = message.text ?? (message.action ? `[${message.action}]` : '');
    session.recent = [
      ...(session.recent ?? []),
      { at: now, from: 'user' as const, text: said.slice(0, 200) },
      ...replies.map((r) => ({ at: now, from: 'bot' as const, text: r.text.slice(0, 200) })),
    ].slice(-RECENT_TURNS);
    // Remember buttons offered outside a flow, so a typed number works on text-only platforms.
    const lastButtons = replies.findLast((r) => r.buttons?.length)?.buttons;
    if (!message.group) session.buttons = session.active ? undefined : lastButtons;
    const ops: StoreOp[] = [...tx.ops, { op: 'put', collection: 'sessions', key: userKey, value: session }];
    const toSpeaker = message.platform === 'dev' ? [] : replies;
    await this.outbox.commit(ops, [
      ...toSpeaker.map((m, i) => ({
        to: message.address,
        message: m,
        idempotencyKey: `reply:${message.platform}:${message.id}:${i}`,
      })),
      ...pushes.map((p, i) => ({
        // A push to the speaker in their 1:1 chat goes where the reply goes (same lane, same order).
        to:
          typeof p.to === 'string'
            ? p.to === userKey && !message.group
              ? message.address
              : directAddress(p.to)
            : p.to,
        message: p.message,
        dedupeKey: p.dedupeKey,
        idempotencyKey: p.dedupeKey ?? `push:${message.platform}:${message.id}:${i}`,
      })),
    ]);
    return replies;
  }

  private async route(ctx: TurnContext): Promise<OutgoingMessage[]> {
    const { message, session } = ctx;
    const text = message.text?.trim() ?? '';
    let input: Input | undefined;
    if (message.action) input = { kind: 'action', value: message.action };
    else if (text) {
      const cmd = parseCommand(text);
      input = cmd ? { kind: 'command', command: cmd.command, arg: cmd.arg, text } : { kind: 'text', text };
    }
    if (!input) return [{ text: t(ctx.locale, M.unsupported) }];

    // A flow lives in the user's 1:1 chat: a group mention never answers it (nor its buttons).
    const flowActive = Boolean(session.active) && !message.group;
    // A typed number or label standing for one of the newest offered buttons (outside flows):
    // those of the last reply, or of a later push (ticket confirmation, lesson quiz…).
    if (input.kind === 'text' && !session.active && !message.group) {
      const fresh = (at: number) => ctx.now - at < BUTTONS_TTL_MS;
      let offered = session.buttons?.length && fresh(session.updatedAt) ? session.buttons : undefined;
      const pushed = await readOfferedButtons(this.store, ctx.userKey);
      if (pushed && fresh(pushed.at) && pushed.at > session.updatedAt) offered = pushed.buttons;
      const s = input.text.normalize('NFKC').trim();
      const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
      const b = offered?.[n - 1] ?? offered?.find((x) => x.label === s);
      if (b) input = { kind: 'action', value: b.value };
    }

    if (input.kind === 'action') {
      const owner = this.features.find((f) => input.value.startsWith(`${f.name}:`));
      if (owner) {
        const out = await owner.handle('action', input, ctx);
        if (out.status === 'handled') return out.replies;
      }
      // A stale button of a flow that is gone: fall through to help.
    }
    if (flowActive && session.active) {
      const owner = this.features.find((f) => f.name === session.active!.feature);
      if (owner) {
        const out = await owner.handle('flow', input, ctx);
        if (out.status === 'handled') return out.replies;
      } else session.active = undefined;
    }
    if (input.kind !== 'action') {
      for (const f of this.features) {
        const out: Outcome = await f.handle('message', input, ctx);
        if (out.status === 'handled') return out.replies;
      }
    }
    if (input.kind === 'command' && input.command === 'status') return [{ text: t(ctx.locale, M.noStatus) }];
    return [this.help(ctx.locale)];
  }

  /** The help message: one line per feature. */
  help(locale: Locale): OutgoingMessage {
    const lines = this.features
      .map((f) => f.help?.(locale))
      .filter(Boolean)
      .map((l) => `• ${l}`)
      .join('\n');
    return { text: t(locale, M.help, { lines }) };
  }
}

/** Staged writes over the store: reads see the turn's own writes first. */
class Tx implements TurnTx {
  readonly ops: StoreOp[] = [];
  private readonly overlay = new Map<string, { value: unknown } | null>();
  constructor(private readonly store: Store) {}
  private k(c: string, k: string) {
    return `${c}\u0000${k}`;
  }
  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const o = this.overlay.get(this.k(collection, key));
    if (o === null) return undefined;
    if (o) return cloneValue(o.value) as T;
    return this.store.get<T>(collection, key);
  }
  async list<T>(collection: string, opts?: { prefix?: string }): Promise<Array<{ key: string; value: T }>> {
    const base = new Map((await this.store.list<T>(collection, opts)).map((e) => [e.key, e.value]));
    for (const [ck, o] of this.overlay) {
      const [c, key] = ck.split('\u0000');
      if (c !== collection || (opts?.prefix && !key.startsWith(opts.prefix))) continue;
      if (o === null) base.delete(key);
      else base.set(key, cloneValue(o.value) as T);
    }
    return [...base.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value }));
  }
  put<T>(collection: string, key: string, value: T, opts?: { ttlMs?: number }): void {
    this.overlay.set(this.k(collection, key), { value: cloneValue(value) });
    this.ops.push({ op: 'put', collection, key, value: cloneValue(value), ttlMs: opts?.ttlMs });
  }
  delete(collection: string, key: string): void {
    this.overlay.set(this.k(collection, key), null);
    this.ops.push({ op: 'delete', collection, key });
  }
}
