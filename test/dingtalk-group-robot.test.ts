import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingtalkAdapter } from '../adapters/dingtalk/adapter.ts';
import { GroupRobot, groupRobotKey } from '../adapters/dingtalk/group-robot.ts';
import { ConfigError, directAddress, laneOf, ManualClock, PlatformApiError } from '../src/index.ts';

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/dingtalk/sign-vectors.json', import.meta.url), 'utf8'),
) as {
  groupRobot: Array<{ secret: string; timestamp: string; signBase64: string; signUrlEncoded: string }>;
};
const SECRET = vectors.groupRobot[0].secret;
const WEBHOOK =
  'https://oapi.dingtalk.com/robot/send?access_token=6a1ee4d2c1c7d5b1a0f8e3b2c9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9';

/**
 * A fake robot endpoint on 127.0.0.1 (the webhook's origin is rebased onto it through
 * `oapiBase`, as `DINGTALK_OAPI_BASE` does): records each request-target exactly as it came on
 * the wire, and the JSON body; answers `replies` in turn (the last one repeats).
 */
let server: Server;
let base = '';
let seen: Array<{ url: string; body: unknown }> = [];
let replies: object[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: JSON.parse(data || 'null') });
      const reply = replies.length > 1 ? replies.shift() : (replies[0] ?? { errcode: 0, errmsg: 'ok' });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  replies = [];
});

function robot(clock: ManualClock, extra: Partial<ConstructorParameters<typeof GroupRobot>[0]> = {}) {
  return new GroupRobot({ webhook: WEBHOOK, secret: SECRET, clock, oapiBase: base, ...extra });
}

describe('GroupRobot 加签', () => {
  it('signs with the request’s own ms timestamp; Base64 URL-encoded exactly once (%2B %2F %3D, never %25)', async () => {
    for (const v of vectors.groupRobot.slice(0, 2)) {
      const clock = new ManualClock(Number(v.timestamp));
      seen = [];
      await robot(clock).send({ text: '上线通知' });
      const raw = seen[0].url;
      expect(raw).toBe(
        `/robot/send?access_token=${WEBHOOK.split('=')[1]}&timestamp=${v.timestamp}&sign=${v.signUrlEncoded}`,
      );
      expect(raw).not.toContain('%25');
      expect(raw).toMatch(/%2B/);
      expect(raw).toMatch(/%2F/);
      expect(raw).toMatch(/%3D/);
      // Decoding once gives back the Base64 signature itself.
      expect(new URLSearchParams(raw.split('?')[1]).get('sign')).toBe(v.signBase64);
    }
  });

  it('a message an hour after start carries a fresh timestamp and sign', async () => {
    const [first, , later] = vectors.groupRobot;
    const clock = new ManualClock(Number(first.timestamp));
    const r = robot(clock);
    await r.send({ text: '第一条' });
    clock.advance(3_600_000);
    expect(String(clock.now())).toBe(later.timestamp);
    await r.send({ text: '一小时后' });
    expect(seen[0].url).toContain(`timestamp=${first.timestamp}&sign=${first.signUrlEncoded}`);
    expect(seen[1].url).toContain(`timestamp=${later.timestamp}&sign=${later.signUrlEncoded}`);
  });

  it('sends text or markdown bodies; buttons become numbered text', async () => {
    const clock = new ManualClock(Number(vectors.groupRobot[0].timestamp));
    const r = robot(clock);
    await r.send({ text: '**试点上线** 今天 18:00' });
    await r.send({
      text: '本周例会改期？',
      buttons: [
        { label: '同意', value: 'a' },
        { label: '不同意', value: 'b' },
      ],
    });
    expect(seen[0].body).toEqual({
      msgtype: 'markdown',
      markdown: { title: '试点上线 今天 18:00', text: '**试点上线** 今天 18:00' },
    });
    expect(seen[1].body).toEqual({
      msgtype: 'text',
      text: { content: '本周例会改期？\n1. 同意  2. 不同意\n回复数字或选项名称' },
    });
  });

  it('errcode 130101 (too fast) is retryable after about a minute; 310000 (bad sign) is permanent', async () => {
    const clock = new ManualClock(Number(vectors.groupRobot[0].timestamp));
    replies = [{ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }];
    const e = await robot(clock)
      .send({ text: 'x' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PlatformApiError);
    expect(e).toMatchObject({ errcode: 130101, retryable: true, retryAfterMs: 60_000, method: 'robot/send' });
    replies = [{ errcode: 310000, errmsg: 'sign not match' }];
    await expect(robot(clock).send({ text: 'x' })).rejects.toMatchObject({
      errcode: 310000,
      retryable: false,
    });
  });

  it('DINGTALK_OAPI_BASE replaces DingTalk’s public origin; a pasted timestamp/sign is dropped', async () => {
    const clock = new ManualClock(Number(vectors.groupRobot[0].timestamp));
    const r = robot(clock, { webhook: `${WEBHOOK}&timestamp=1&sign=old`, oapiBase: 'http://127.0.0.1:9' });
    expect(r.signedUrl()).toBe(
      `http://127.0.0.1:9/robot/send?access_token=${WEBHOOK.split('=')[1]}&timestamp=${vectors.groupRobot[0].timestamp}&sign=${vectors.groupRobot[0].signUrlEncoded}`,
    );
    expect(
      new GroupRobot({
        webhook: 'https://hook.example/robot/send?access_token=x',
        oapiBase: 'http://127.0.0.1:9',
      }).signedUrl(),
    ).toBe('https://hook.example/robot/send?access_token=x');
    expect(() => new GroupRobot({ webhook: 'not a url' })).toThrow(ConfigError);
  });

  it('is addressed by meta.robot, and the outbox lane is dingtalk:robot:<key> (20/min kind)', async () => {
    const clock = new ManualClock(Number(vectors.groupRobot[0].timestamp));
    const a = createDingtalkAdapter(
      { DINGTALK_GROUP_WEBHOOK: WEBHOOK, DINGTALK_GROUP_SECRET: SECRET, DINGTALK_OAPI_BASE: base },
      { clock },
    );
    const gr = a.groupRobot as GroupRobot;
    expect(gr.key).toBe(groupRobotKey(WEBHOOK));
    expect(gr.key).toMatch(/^[0-9a-f]{12}$/);
    expect(laneOf(gr.address)).toBe(`dingtalk:robot:${gr.key}`);
    expect(gr.lane).toBe(laneOf(gr.address));
    expect(JSON.stringify(gr.address)).not.toContain('access_token');
    await a.send(gr.address, { text: '公告' }, { idempotencyKey: 'k' });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toMatch(/^\/robot\/send\?access_token=6a1e.*&timestamp=\d{13}&sign=/);
    // The group user key `dingtalk:group:robot` (e.g. PROJECT_GROUP) reaches it too, in a 20/min lane.
    const byKey = directAddress('dingtalk:group:robot');
    expect(laneOf(byKey)).toBe('dingtalk:robot');
    await a.send(byKey, { text: '周报' }, { idempotencyKey: 'k2' });
    await a.send(
      directAddress(`dingtalk:group:robot:${gr.key}`),
      { text: '周报2' },
      { idempotencyKey: 'k3' },
    );
    expect(seen).toHaveLength(3);
    await expect(
      a.send(directAddress('dingtalk:group:robot:ffffffffffff'), { text: 'x' }, { idempotencyKey: 'k' }),
    ).rejects.toMatchObject({
      retryable: false,
    });
    // Only the group robot is configured: app sends fail permanently, nothing is started.
    expect(a.start).toBeUndefined();
    await expect(
      a.send({ platform: 'dingtalk', userId: 'u' }, { text: 'x' }, { idempotencyKey: 'k' }),
    ).rejects.toMatchObject({
      retryable: false,
    });
  });
});
