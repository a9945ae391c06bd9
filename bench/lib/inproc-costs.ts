/**
 * In-process CPU cost per request of each platform's webhook work (verify + decrypt + parse +
 * decode, no HTTP) and of one bot turn, to say where an ingest path's time goes.
 */
import { decodeRobotMessage, verifyRobotCallback } from '../../adapters/dingtalk/index.ts';
import { decodeFeishu } from '../../adapters/feishu/decode.ts';
import { decryptFeishu, verifyFeishuSignature } from '../../adapters/feishu/verify.ts';
import { decodeEventCallback } from '../../adapters/slack/decode.ts';
import { verifySlackSignature } from '../../adapters/slack/verify.ts';
import { decodeWecomMessage, openCallback, wecomKeys } from '../../adapters/wecom/index.ts';
import { parseEnvelope } from '../../adapters/wecom/xml.ts';
import type { IncomingMessage } from '../../src/index.ts';
import { wecomCallback } from '../ingest.ts';
import { createBenchBot } from './bot-server.ts';
import type { LoadRequest } from './load.ts';
import { benchConfig as cfg, dingtalkRequest, feishuRequest, slackRequest } from './platform-requests.ts';

/**
 * Mean CPU µs (user + system) of `work(k)` over `n` calls after `n / 5` warm-up calls. CPU time,
 * not wall time, so other processes on a busy machine do not inflate it.
 */
async function micros(n: number, work: (k: number) => unknown): Promise<number> {
  for (let k = 0; k < n / 5; k++) await work(k);
  const c0 = process.cpuUsage();
  for (let k = 0; k < n; k++) await work(n + k);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

const h = (r: LoadRequest, name: string) => r.headers?.[name];

/**
 * Per-request µs of each platform's verify + decode, and of a bot turn (`调研` through the
 * survey feature, MemoryStore, outbox not started), measured one after another.
 * @returns `[label, µs]` pairs
 */
export async function inProcessCosts(n = 2_000): Promise<Array<[string, number]>> {
  const now = Date.now();
  const pool = <T>(f: (i: number) => T) => Array.from({ length: 1_000 }, (_, i) => f(i));
  const wecomKeysBench = wecomKeys({
    token: cfg.wecom!.token,
    encodingAESKey: cfg.wecom!.encodingAESKey,
    receiveId: cfg.wecom!.corpId,
  });
  const wecom = pool(wecomCallback).map((r) => ({
    q: Object.fromEntries(new URL(r.path, 'http://x').searchParams) as {
      msg_signature: string;
      timestamp: string;
      nonce: string;
    },
    body: r.body ?? '',
  }));
  const ding = pool(dingtalkRequest);
  const feishu = pool(feishuRequest);
  const slack = pool(slackRequest('/webhooks/slack'));
  const out: Array<[string, number]> = [];
  out.push([
    'WeCom verify+decrypt+XML+decode',
    await micros(n, (k) => {
      const p = wecom[k % wecom.length];
      decodeWecomMessage(openCallback(wecomKeysBench, p.q, parseEnvelope(p.body).encrypt));
    }),
  ]);
  out.push([
    'DingTalk verify+JSON+decode',
    await micros(n, (k) => {
      const r = ding[k % ding.length];
      verifyRobotCallback(
        { timestamp: h(r, 'timestamp'), sign: h(r, 'sign') },
        cfg.dingtalk!.clientSecret,
        now,
      );
      decodeRobotMessage(JSON.parse(r.body ?? ''), { robotCode: cfg.dingtalk!.robotCode, botNames: [] });
    }),
  ]);
  out.push([
    'Feishu verify+decrypt+JSON+decode',
    await micros(n, (k) => {
      const r = feishu[k % feishu.length];
      const raw = Buffer.from(r.body ?? '');
      verifyFeishuSignature({
        encryptKey: cfg.feishu!.encryptKey!,
        timestamp: h(r, 'x-lark-request-timestamp'),
        nonce: h(r, 'x-lark-request-nonce'),
        signature: h(r, 'x-lark-signature'),
        rawBody: raw,
        nowMs: now,
      });
      const outer = JSON.parse(raw.toString('utf8')) as { encrypt: string };
      decodeFeishu(JSON.parse(decryptFeishu(cfg.feishu!.encryptKey!, outer.encrypt)), cfg.feishu!.botOpenId);
    }),
  ]);
  out.push([
    'Slack verify+JSON+decode',
    await micros(n, (k) => {
      const r = slack[k % slack.length];
      const raw = Buffer.from(r.body ?? '');
      verifySlackSignature({
        signingSecret: cfg.slack!.signingSecret,
        timestamp: h(r, 'x-slack-request-timestamp'),
        signature: h(r, 'x-slack-signature'),
        rawBody: raw,
        nowMs: now,
      });
      decodeEventCallback(JSON.parse(raw.toString('utf8')));
    }),
  ]);
  const b = await createBenchBot();
  const msg = (i: number): IncomingMessage => ({
    id: `turn-${i}`,
    platform: 'wecom',
    userId: `user${i % 500}`,
    address: { platform: 'wecom', userId: `user${i % 500}`, chatType: 'direct' },
    text: '调研',
  });
  out.push([
    'bot turn (调研 → survey, MemoryStore, outbox queue)',
    await micros(n, (k) => b.ctx.dispatch(msg(k))),
  ]);
  return out;
}
