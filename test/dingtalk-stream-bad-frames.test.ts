import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DingtalkStream, STREAM_TOPICS } from '../adapters/dingtalk/stream.ts';
import type { Logger } from '../src/index.ts';
import { FakeGateway, waitFor } from './fixtures/dingtalk/fake-gateway.ts';

let gw: FakeGateway;
let stream: DingtalkStream | undefined;

/** A logger that records warnings. */
function recordingLog(): Logger & { warnings: Array<{ msg: string; data?: Record<string, unknown> }> } {
  const warnings: Array<{ msg: string; data?: Record<string, unknown> }> = [];
  return {
    warnings,
    debug() {},
    info() {},
    error() {},
    warn: (msg, data) => void warnings.push({ msg, data }),
  };
}

beforeAll(() => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
beforeEach(async () => {
  gw = new FakeGateway();
  await gw.start();
});
afterEach(async () => {
  await stream?.stop();
  stream = undefined;
  await gw.stop();
});

describe('DingTalk Stream: malformed frames from the gateway', () => {
  it('logs and drops frames that are not JSON or not frames; the connection keeps working', async () => {
    const log = recordingLog();
    const got: Array<{ topic: string; data: unknown }> = [];
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      stream = new DingtalkStream({
        clientId: 'dingapp',
        clientSecret: 'sec',
        apiBase: gw.origin,
        log,
        onCallback: (topic, data) => void got.push({ topic, data }),
        reconnect: { baseMs: 20, maxMs: 200 },
        random: () => 0.5,
      });
      await stream.start();
      const socket = gw.socket;
      if (!socket) throw new Error('not connected');
      // Not JSON; JSON but not a frame; a CALLBACK without headers; a SYSTEM frame without headers.
      for (const bad of [
        'not json{',
        'null',
        '[]',
        '42',
        '{"type":"CALLBACK"}',
        '{"type":"SYSTEM","headers":7}',
      ])
        socket.send(bad);
      gw.pushCallback(STREAM_TOPICS.robot, 'good-1', { msgId: 'm1', text: { content: '你好' } });
      await waitFor(() => gw.ackFor('good-1') && got.length === 1, 3000, 'the good frame');
      expect(got[0]).toEqual({
        topic: STREAM_TOPICS.robot,
        data: { msgId: 'm1', text: { content: '你好' } },
      });
      expect(uncaught).toEqual([]);
      // Same connection: never dropped, no reconnect.
      expect(stream.connected).toBe(true);
      expect(gw.sockets).toHaveLength(1);
      expect(stream.stats).toMatchObject({ connects: 1, reconnectsScheduled: 0, badFrames: 6 });
      const dropped = log.warnings.filter((w) => w.msg.startsWith('dingtalk stream: bad frame'));
      expect(dropped).toHaveLength(6);
      // Logged by size and reason, never the frame's content.
      expect(dropped[0].data).toMatchObject({ bytes: 9 });
      expect(JSON.stringify(dropped)).not.toContain('not json{');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
