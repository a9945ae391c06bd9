/**
 * Normalized message types shared by every adapter and feature.
 * Adapters turn platform payloads into {@link IncomingMessage}; features return
 * {@link OutgoingMessage}s; the outbox hands them back to an adapter to encode and send.
 */

/** Chat platforms the bot speaks on. `dev` is the local chat (`POST /dev/chat`, `npm run chat`). */
export type Platform = 'dev' | 'wecom' | 'dingtalk' | 'feishu' | 'slack';

export const PLATFORMS: readonly Platform[] = ['dev', 'wecom', 'dingtalk', 'feishu', 'slack'];

/** Supported user-facing locales. zh-CN is the default. */
export type Locale = 'zh-CN' | 'en';

/**
 * Where a message goes or came from.
 * - `userId` is the platform's own user id (WeCom `UserID`, DingTalk `senderStaffId`,
 *   Feishu `open_id`, Slack `U…`), without the platform prefix.
 * - `chatId` is set for group chats / channels (DingTalk `conversationId`, Feishu `chat_id`,
 *   Slack `channel`); absent for WeCom app 1:1 messages.
 * - `meta` carries platform routing hints an adapter may need to reply (e.g. DingTalk
 *   `sessionWebhook` and its expiry in ms, Slack `thread_ts`). Only adapters read it.
 */
export interface Address {
  platform: Platform;
  userId?: string;
  chatId?: string;
  chatType?: 'direct' | 'group';
  meta?: Record<string, string>;
}

/** One inbound user turn, decoded by an adapter. */
export interface IncomingMessage {
  /** The platform's unique id for this delivery's message/event (WeCom `MsgId`, DingTalk `msgId`, Feishu `event_id`, Slack `event_id`); the dedupe key. */
  id: string;
  platform: Platform;
  /** The sender, as the platform names them (no prefix). */
  userId: string;
  /** Where to answer (the 1:1 chat, or the group the message came from). */
  address: Address;
  /** Plain text with the bot's own mention removed; absent for button clicks. */
  text?: string;
  /** A button's `value` when the user clicked one. */
  action?: string;
  /** True when the message came from a group chat. Adapters drop group messages not addressed to the bot before dispatch. */
  group?: boolean;
  /** Sender display name when the platform gives one. */
  userName?: string;
  /** When the platform says the message was sent, ms since epoch (UTC). */
  sentAt?: number;
  /** Optional locale hint from the platform or the caller. */
  locale?: Locale;
  /** Dev chat only: a role to record in the roster for this user. */
  role?: string;
}

/** A button; `value` comes back as {@link IncomingMessage.action} when clicked. */
export interface Button {
  label: string;
  value: string;
}

/** One message the bot sends. `text` is markdown (bold, links, lists); adapters render it per platform. */
export interface OutgoingMessage {
  text: string;
  buttons?: Button[];
  /** Title for card renderings (WeCom template_card, Feishu card header). */
  title?: string;
  /**
   * `false`: a typed number never stands for one of these buttons; they are answered by a tap or
   * by typing the label. For a push sent right after a reply that has buttons of its own (the
   * role question after a first FAQ answer), so `2` still means the reply's 没用.
   */
  byNumber?: false;
}

/** Platform-prefixed user key, e.g. `wecom:zhangsan`, `dev:u1`. Used in the roster and responses. */
export type UserKey = string;

/** Builds the platform-prefixed user key (`wecom:zhangsan`). */
export function userKeyOf(platform: Platform, userId: string): UserKey {
  return `${platform}:${userId}`;
}

/**
 * Splits a user key into platform and platform user id.
 * @throws {Error} when the key has no known platform prefix.
 */
export function parseUserKey(key: UserKey): { platform: Platform; userId: string } {
  const i = key.indexOf(':');
  const platform = key.slice(0, i) as Platform;
  if (i <= 0 || !PLATFORMS.includes(platform)) throw new Error(`not a user key: ${key}`);
  return { platform, userId: key.slice(i + 1) };
}

/**
 * Address from a user key: `wecom:zhangsan` → that user's 1:1 chat; the group form
 * `<platform>:group:<chatId>` (e.g. `dingtalk:group:cid123`, used in `TICKET_HANDLERS` and
 * `PROJECT_GROUP`) → that group chat.
 */
export function directAddress(key: UserKey): Address {
  const { platform, userId } = parseUserKey(key);
  if (userId.startsWith('group:')) return { platform, chatId: userId.slice(6), chatType: 'group' };
  return { platform, userId, chatType: 'direct' };
}

/** Time source. Everything that reads the clock takes one, so tests can set it. */
export interface Clock {
  /** ms since epoch, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number | string | Date): void {
    this.t = typeof t === 'number' ? t : new Date(t).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
