import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDingtalkAdapter, type DingtalkAdapter } from '../adapters/dingtalk/adapter.ts';
import { buttonActionId } from '../adapters/dingtalk/encode.ts';
import { backoffDelay, STREAM_TOPICS } from '../adapters/dingtalk/stream.ts';
import { Bot, type DispatchResult } from '../src/core/bot.ts';
import { type Feature, handled, type IncomingMessage, Outbox, silentLogger } from '../src/index.ts';
import { MemoryStore } from '../storage/memory.ts';
import { FakeGateway, waitFor } from './fixtures/dingtalk/fake-gateway.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

let gw: FakeGateway;
let adapter: DingtalkAdapter | undefined;

function makeAdapter() {
  adapter = createDingtalkAdapter(
    {
      dingtalk: {
        clientId: 'dingapp',
        clientSecret: 'sec',
        robotCode: 'dingrobot123',
        mode: 'stream',
        apiBase: gw.origin,
        oapiBase: gw.origin,
      },
    },
    { stream: { reconnect: { baseMs: 20, maxMs: 200 }, random: () => 0.5 } },
  );
  return adapter;
}

/** A 1:1 message whose sessionWebhook is the fake's, valid for 1.5 h. */
function directMessage(msgId: string, text = '调研') {
  return {
    ...fixture('direct-text.json'),
    msgId,
    text: { content: text },
    sessionWebhook: `${gw.origin}/session/s1`,
    sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
    createAt: Date.now(),
  };
}

beforeAll(() => {
  // dingtalk-stream logs "connect success" / "Disconnecting." with console.info.
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
beforeEach(async () => {
  gw = new FakeGateway();
  await gw.start();
});
afterEach(async () => {
  await adapter?.stop?.();
  adapter = undefined;
  await gw.stop();
});

describe('DingTalk Stream mode against a local fake gateway', () => {
  it('opens the connection through DINGTALK_API_BASE with only the robot and card topics', async () => {
    await makeAdapter().start?.({ dispatch: async () => {}, log: silentLogger });
    expect(adapter?.stream?.connected).toBe(true);
    expect(gw.opens).toHaveLength(1);
    expect(gw.opens[0].clientId).toBe('dingapp');
    expect(gw.opens[0].subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
    ]);
  });

  it('acks a CALLBACK within 3 s, before the slow turn finishes', async () => {
    let finished = false;
    let release!: () => void;
    const dispatched: IncomingMessage[] = [];
    await makeAdapter().start?.({
      dispatch: (m) => {
        dispatched.push(m);
        return new Promise<void>((r) => {
          release = () => {
            finished = true;
            r();
          };
        });
      },
      log: silentLogger,
    });
    const sentAt = Date.now();
    gw.pushCallback(STREAM_TOPICS.robot, 'frame-1', directMessage('msg-A'));
    const ack = await waitFor(() => gw.ackFor('frame-1'), 3000, 'the ack');
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(finished).toBe(false);
    expect(ack).toMatchObject({ code: 200, message: 'OK', headers: { messageId: 'frame-1' } });
    expect(JSON.parse(ack.data)).toEqual({ response: {} });
    await waitFor(() => dispatched.length === 1, 3000, 'dispatch');
    expect(dispatched[0]).toMatchObject({
      id: 'msg-A',
      userId: 'lisi',
      text: '调研',
      address: { chatType: 'direct' },
    });
    release();
  });

  it('a redelivered frame (new messageId, same msgId) is acked, dispatched with the same id, and gets exactly one reply', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox({ store });
    const echo: Feature = {
      name: 'echo',
      handle: async (_stage, input) =>
        input.kind === 'command' || input.kind === 'text'
          ? handled({ text: '收到，马上为您开始调研' })
          : { status: 'pass' },
    };
    const bot = new Bot({ store, outbox, features: [echo] });
    const a = makeAdapter();
    outbox.register(a);
    await outbox.start();
    const ids: string[] = [];
    const results: DispatchResult[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((r) => {
      openGate = r;
    });
    await a.start?.({
      dispatch: async (m) => {
        ids.push(m.id);
        // Slow work: no turn finishes before both deliveries were acked.
        await gate;
        results.push(await bot.dispatch(m));
      },
      log: silentLogger,
    });
    gw.pushCallback(STREAM_TOPICS.robot, 'frame-1', directMessage('msg-R'));
    await waitFor(() => gw.ackFor('frame-1'), 3000, 'first ack');
    gw.pushCallback(STREAM_TOPICS.robot, 'frame-2', directMessage('msg-R'));
    await waitFor(() => gw.ackFor('frame-2'), 3000, 'second ack');
    expect(results).toEqual([]);
    openGate();
    await waitFor(() => results.length === 2, 3000, 'both turns');
    await outbox.idle();
    await outbox.stop();
    expect(ids).toEqual(['msg-R', 'msg-R']);
    expect(results.map((r) => r.status).sort()).toEqual(['done', 'duplicate']);
    expect(gw.webhookPosts).toEqual([{ msgtype: 'text', text: { content: '收到，马上为您开始调研' } }]);
  });

  it('acks and drops frames it cannot use (bad JSON, a group message not for the bot)', async () => {
    const dispatched: IncomingMessage[] = [];
    await makeAdapter().start?.({ dispatch: async (m) => void dispatched.push(m), log: silentLogger });
    gw.pushRaw({
      type: 'CALLBACK',
      headers: { messageId: 'bad-1', topic: STREAM_TOPICS.robot },
      data: '{not json',
    });
    gw.pushCallback(STREAM_TOPICS.robot, 'other-1', fixture('group-other-mention.json'));
    await waitFor(() => gw.ackFor('bad-1') && gw.ackFor('other-1'), 3000, 'acks');
    gw.pushCallback(STREAM_TOPICS.robot, 'mine-1', fixture('group-mention.json'));
    await waitFor(() => dispatched.length === 1, 3000, 'the addressed message');
    expect(dispatched[0].id).toBe('msgWjYj1k8LPNOBBy+jxNKwQw==');
  });

  it('card button callbacks are acked and dispatched as actions', async () => {
    const dispatched: IncomingMessage[] = [];
    await makeAdapter().start?.({ dispatch: async (m) => void dispatched.push(m), log: silentLogger });
    gw.pushCallback(STREAM_TOPICS.card, 'card-frame-1', {
      ...fixture('card-callback.json'),
      content: JSON.stringify({
        cardPrivateData: { actionIds: [buttonActionId('survey:q1:trade')], params: {} },
      }),
    });
    await waitFor(() => gw.ackFor('card-frame-1') && dispatched.length === 1, 3000, 'card click');
    expect(dispatched[0]).toMatchObject({ userId: 'lisi', action: 'survey:q1:trade' });
  });

  it('reconnects with backoff when the connection drops and the gateway is briefly down', async () => {
    const a = makeAdapter();
    await a.start?.({ dispatch: async () => {}, log: silentLogger });
    gw.openStatus = [503, 503];
    gw.socket?.terminate();
    await waitFor(() => gw.opens.length === 4 && a.stream?.connected, 3000, 'the third reconnect attempt');
    expect(a.stream?.stats).toMatchObject({ connects: 2, reconnectsScheduled: 3 });
    gw.pushCallback(STREAM_TOPICS.robot, 'after-1', directMessage('msg-after'));
    await waitFor(() => gw.ackFor('after-1'), 3000, 'ack on the new connection');
  });

  it('a SYSTEM disconnect makes the client reconnect; stop() ends it for good', async () => {
    const a = makeAdapter();
    await a.start?.({ dispatch: async () => {}, log: silentLogger });
    gw.pushRaw({
      specVersion: '1.0',
      type: 'SYSTEM',
      headers: { messageId: 'sys-1', topic: 'disconnect' },
      data: '{}',
    });
    await waitFor(() => gw.opens.length === 2 && a.stream?.connected, 3000, 'reconnect after disconnect');
    const scheduled = a.stream?.stats.reconnectsScheduled;
    await a.stop?.();
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => gw.sockets.every((s) => s.readyState === 3) && !a.stream?.connected, 3000, 'close');
    await new Promise((r) => setImmediate(r));
    // A reconnect would have been scheduled synchronously on close.
    expect(a.stream?.stats.reconnectsScheduled).toBe(scheduled);
    expect(gw.opens).toHaveLength(2);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 6, 10].map((n) => backoffDelay(n, 1000, 60_000, mid))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000,
    ]);
    expect(backoffDelay(0, 1000, 60_000, () => 0)).toBe(800);
    expect(backoffDelay(0, 1000, 60_000, () => 0.999999)).toBe(1200);
  });
});
