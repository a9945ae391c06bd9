import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type {
  Adapter,
  AdapterContext,
  Address,
  IncomingMessage,
  OutgoingMessage,
  SendResult,
  Store,
} from '../../src/index.ts';

/** What `POST /dev/chat` and `GET /dev/outbox` return per message (CONTRACT.md). */
export interface Reply {
  text: string;
  buttons?: { label: string; value: string }[];
}

const COL = 'dev-outbox';

const ChatBody = z.object({
  userId: z.string().min(1).max(200),
  text: z.string().max(10_000).optional(),
  action: z.string().max(1_000).optional(),
  role: z.string().max(100).optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
});

/** A local-chat turn as `POST /dev/chat` takes it. */
export interface DevTurn {
  userId: string;
  text?: string;
  action?: string;
  role?: string;
  locale?: 'zh-CN' | 'en';
}

/**
 * The `IncomingMessage` of one local-chat turn. The local chat has no platform message id, so
 * each turn gets a fresh random one (it is never redelivered).
 */
export function devMessage(m: DevTurn): IncomingMessage {
  return {
    id: randomUUID(),
    platform: 'dev',
    userId: m.userId,
    address: { platform: 'dev', userId: m.userId, chatType: 'direct' },
    text: m.text,
    action: m.action,
    role: m.role,
    locale: m.locale,
  };
}

export const toReply = (m: OutgoingMessage): Reply => ({
  text: m.title && !m.text.startsWith(m.title) ? `${m.title}\n${m.text}` : m.text,
  ...(m.buttons?.length ? { buttons: m.buttons.map((b) => ({ label: b.label, value: b.value })) } : {}),
});

/**
 * The local chat (`dev` platform): `POST /dev/chat` runs a turn and answers its replies;
 * proactive messages (lessons, nudges, ticket relays) land in `GET /dev/outbox?userId=`, kept in
 * the store (collection `dev-outbox`) so they survive restarts. No auth: served only when
 * `DEV_CHAT` is on (default on a loopback `HOST`).
 */
export function createDevAdapter(opts: {
  store: Store;
  /** Runs one turn and returns its replies (the bot's dispatch for `dev`). */
  turn: (
    msg: DevTurn,
  ) => Promise<
    | { status: 'done'; replies: OutgoingMessage[] }
    | { status: 'duplicate' }
    | { status: 'failed'; error: unknown }
  >;
  now: () => number;
}): Adapter {
  let seq = 0;
  return {
    platform: 'dev',
    mount(router: Router, _ctx: AdapterContext) {
      router.post('/dev/chat', express.json({ limit: '64kb' }), async (req, res) => {
        const body = ChatBody.safeParse(req.body);
        if (!body.success || (!body.data.text && !body.data.action)) {
          res.status(400).json({
            error: {
              code: 'bad_request',
              message: body.success
                ? 'text or action is required'
                : body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
            },
          });
          return;
        }
        const r = await opts.turn(body.data);
        if (r.status === 'failed') {
          res.status(500).json({ error: { code: 'internal', message: 'turn failed' } });
          return;
        }
        res.json({ replies: r.status === 'done' ? r.replies.map(toReply) : [] });
      });
      router.get('/dev/outbox', async (req, res) => {
        // Accept the plain id (as in POST /dev/chat) or the user key form `dev:<id>`.
        const raw = typeof req.query.userId === 'string' ? req.query.userId : '';
        const userId = raw.startsWith('dev:') ? raw.slice(4) : raw;
        if (!userId) {
          res.status(400).json({ error: { code: 'bad_request', message: 'userId is required' } });
          return;
        }
        const rows = await opts.store.list<Reply>(COL, { prefix: `${userId}\u0000` });
        res.json(rows.map((r) => r.value));
      });
    },
    async send(to: Address, message: OutgoingMessage): Promise<SendResult> {
      const user = to.userId ?? to.chatId ?? 'unknown';
      const key = `${user}\u0000${String(opts.now()).padStart(15, '0')}-${String(seq++).padStart(8, '0')}`;
      await opts.store.put(COL, key, toReply(message));
      return { messageId: key };
    },
  };
}
