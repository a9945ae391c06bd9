/**
 * The bench's platform configuration (one `loadConfig` over a bench-only environment, as
 * `src/main.ts` reads it) and signed webhook requests built each platform's way, every one with
 * its own message id so the bot's dedupe never short-circuits. API origins point at the discard
 * port: nothing is ever sent.
 */
import { randomBytes } from 'node:crypto';
import { dingtalkSign } from '../../adapters/dingtalk/index.ts';
import { encryptFeishu, feishuSignature } from '../../adapters/feishu/verify.ts';
import { slackSignature } from '../../adapters/slack/verify.ts';
import { loadConfig } from '../../src/config.ts';
import type { LoadRequest } from './load.ts';

const NOWHERE = 'http://127.0.0.1:9';

/**
 * The app config with all four platforms on (DingTalk in HTTP mode). WeCom uses the public
 * example app from WeCom's doc (PLATFORMS.md §2), as `bench/ingest.ts` does; the other secrets
 * are bench-only strings.
 */
export const benchConfig = loadConfig({
  WECOM_CORP_ID: 'wx5823bf96d3bd56c7',
  WECOM_AGENT_ID: '218',
  WECOM_SECRET: 'unused-in-bench',
  WECOM_TOKEN: 'QDG6eK',
  WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  WECOM_API_BASE: NOWHERE,
  DINGTALK_CLIENT_ID: 'dingbenchrobot',
  DINGTALK_CLIENT_SECRET: 'bench-dingtalk-app-secret-0123456789abcdef',
  DINGTALK_MODE: 'http',
  DINGTALK_API_BASE: NOWHERE,
  DINGTALK_OAPI_BASE: NOWHERE,
  FEISHU_APP_ID: 'cli_bench',
  FEISHU_APP_SECRET: 'bench-feishu-app-secret',
  FEISHU_ENCRYPT_KEY: 'bench-feishu-encrypt-key',
  FEISHU_VERIFICATION_TOKEN: 'bench-vtoken',
  FEISHU_BOT_OPEN_ID: 'ou_benchbot',
  FEISHU_API_BASE: NOWHERE,
  SLACK_SIGNING_SECRET: 'bench-slack-signing-secret-0123456789',
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: `${NOWHERE}/api`,
  STORE: 'memory',
});

/** How many distinct senders the requests rotate through. */
export const SENDERS = 500;
const RUN = Date.now().toString(36);

/**
 * DingTalk HTTP-mode robot callback `i`: a 1:1 text `调研`, unique `msgId`, headers `timestamp`
 * (ms, taken when built) and `sign` = base64(HmacSHA256(app secret, timestamp + "\n" + secret)).
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 */
export function dingtalkRequest(i: number): LoadRequest {
  const app = benchConfig.dingtalk!;
  const now = Date.now();
  const user = `user${i % SENDERS}`;
  const body = JSON.stringify({
    conversationId: `cidBench${i % SENDERS}==`,
    chatbotCorpId: 'dingbenchcorp',
    chatbotUserId: '$:LWCP_v1:$benchbot',
    msgId: `msgBench${RUN}${i}==`,
    senderNick: '李四',
    isAdmin: false,
    senderStaffId: user,
    sessionWebhookExpiredTime: now + 90 * 60_000,
    createAt: now,
    senderCorpId: 'dingbenchcorp',
    conversationType: '1',
    senderId: `$:LWCP_v1:$${user}`,
    sessionWebhook: `${NOWHERE}/robot/sendBySession?session=bench`,
    text: { content: '调研' },
    robotCode: app.robotCode,
    msgtype: 'text',
  });
  const timestamp = String(now);
  return {
    method: 'POST',
    path: '/webhooks/dingtalk',
    headers: {
      'content-type': 'application/json',
      timestamp,
      sign: dingtalkSign(timestamp, app.clientSecret),
    },
    body,
  };
}

/**
 * Feishu event `i`: schema 2.0 `im.message.receive_v1` (p2p text `调研`, unique `event_id`),
 * encrypted with the Encrypt Key and signed over the raw body
 * (`X-Lark-Signature` = hex(sha256(timestamp + nonce + encrypt_key + body)), timestamp in s).
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case
 */
export function feishuRequest(i: number): LoadRequest {
  const f = benchConfig.feishu!;
  const now = Date.now();
  const user = `ou_user${i % SENDERS}`;
  const event = {
    schema: '2.0',
    header: {
      event_id: `ev_${RUN}_${i}`,
      event_type: 'im.message.receive_v1',
      create_time: String(now),
      token: f.verificationToken,
      app_id: f.appId,
      tenant_key: 'bench_tenant',
    },
    event: {
      sender: {
        sender_id: { open_id: user, union_id: `on_${user}` },
        sender_type: 'user',
        tenant_key: 'bench_tenant',
      },
      message: {
        message_id: `om_${RUN}_${i}`,
        create_time: String(now),
        chat_id: `oc_p2p_${i % SENDERS}`,
        chat_type: 'p2p',
        message_type: 'text',
        content: JSON.stringify({ text: '调研' }),
      },
    },
  };
  const body = JSON.stringify({
    encrypt: encryptFeishu(f.encryptKey!, JSON.stringify(event), randomBytes(16)),
  });
  const timestamp = String(Math.floor(now / 1000));
  const nonce = `n${i}`;
  return {
    method: 'POST',
    path: '/webhooks/feishu',
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': feishuSignature(f.encryptKey!, timestamp, nonce, body),
    },
    body,
  };
}

/** The bot user id the Slack events name in `authorizations` (and the plain Bolt app's `botUserId`). */
export const SLACK_BOT_USER = 'UBENCHBOT';

/**
 * Slack Events API delivery `i` to `path`: a DM `message.im` with text `调研` and a unique
 * `event_id`, signed `v0=` + hex(HMAC-SHA256(signing secret, "v0:" + ts + ":" + body)), `ts` in
 * seconds, taken when built (so the pool must be used within Slack's 5-minute window).
 * @see https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function slackRequest(path: string): (i: number) => LoadRequest {
  const secret = benchConfig.slack!.signingSecret;
  return (i) => {
    const sec = Math.floor(Date.now() / 1000);
    const user = `U${String(i % SENDERS).padStart(8, '0')}`;
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: 'T0BENCH',
      api_app_id: 'A0BENCH',
      event: {
        type: 'message',
        channel_type: 'im',
        user,
        text: '调研',
        ts: `${sec}.${String(i % 1_000_000).padStart(6, '0')}`,
        channel: `D${user.slice(1)}`,
        event_ts: `${sec}.${String(i % 1_000_000).padStart(6, '0')}`,
      },
      type: 'event_callback',
      event_id: `Ev${RUN}${i}`,
      event_time: sec,
      authorizations: [
        {
          enterprise_id: null,
          team_id: 'T0BENCH',
          user_id: SLACK_BOT_USER,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    });
    const timestamp = String(sec);
    return {
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${slackSignature(secret, timestamp, body)}`,
      },
      body,
    };
  };
}
