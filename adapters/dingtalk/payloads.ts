/**
 * DingTalk wire shapes this adapter reads, in DingTalk's own field names. Everything is
 * optional on input: payloads are checked field by field in `decode.ts`.
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 */

/** One entry of `atUsers`: `dingtalkId` (always) and `staffId` (members of the bot's org). */
export interface AtUser {
  dingtalkId?: string;
  staffId?: string;
}

/**
 * A robot message, as pushed on the Stream topic `/v1.0/im/bot/messages/get` (frame `data`, a
 * JSON string) or POSTed to the HTTP-mode callback URL.
 */
export interface RobotMessagePayload {
  /** Unique per message; the same on a redelivery (the dedupe key). */
  msgId?: string;
  /** `text`, `richText`, `picture`, `audio`, `video`, `file`, … */
  msgtype?: string;
  text?: { content?: string };
  /** Media and rich text put their fields here (`downloadCode`, `richText`, `recognition`…). */
  content?: unknown;
  /** `openConversationId` of the chat (`cid…`). */
  conversationId?: string;
  /** `"1"` 1:1, `"2"` group. */
  conversationType?: string;
  conversationTitle?: string;
  /** Encrypted per-app sender id (`$:LWCP_v1:$…`); not a userId for OpenAPI calls. */
  senderId?: string;
  /** The sender's userId in the org; missing for users outside the org and in the console's debug group. */
  senderStaffId?: string;
  senderNick?: string;
  senderCorpId?: string;
  /** The bot's own encrypted id in this chat (matches `atUsers[].dingtalkId`). */
  chatbotUserId?: string;
  chatbotCorpId?: string;
  robotCode?: string;
  isInAtList?: boolean;
  atUsers?: AtUser[];
  isAdmin?: boolean;
  /** POST-without-auth reply URL, valid until `sessionWebhookExpiredTime` (ms). */
  sessionWebhook?: string;
  sessionWebhookExpiredTime?: number;
  /** ms since epoch. */
  createAt?: number;
}

/**
 * A card button callback on the Stream topic `/v1.0/card/instances/callback`. `content` and
 * `value` are JSON strings `{"cardPrivateData":{"actionIds":[…],"params":{…}}}`.
 * @see https://open.dingtalk.com/document/orgapp/robots-send-interactive-cards
 */
export interface CardCallbackPayload {
  type?: string;
  /** The clicker's userId. */
  userId?: string;
  /** 1 = userId (staffId), 2 = unionId. */
  userIdType?: number;
  corpId?: string;
  /** Our `cardBizId`. */
  outTrackId?: string;
  content?: string;
  value?: string;
  spaceType?: string;
  spaceId?: string;
  extension?: string;
}

/** A Stream frame (down: server → client), as `dingtalk-stream` types it. */
export interface StreamFrame {
  specVersion?: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK' | string;
  headers: {
    messageId: string;
    topic: string;
    contentType?: string;
    time?: string;
    appId?: string;
    connectionId?: string;
    [k: string]: string | undefined;
  };
  /** JSON string. */
  data: string;
}
