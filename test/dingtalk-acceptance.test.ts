import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDingtalkAdapter, type DingtalkAdapter } from '../adapters/dingtalk/adapter.ts';
import { parseButtonActionId } from '../adapters/dingtalk/encode.ts';
import { STREAM_TOPICS } from '../adapters/dingtalk/stream.ts';
import { Bot } from '../src/core/bot.ts';
import { Outbox, silentLogger } from '../src/index.ts';
import { createSurveyFeature } from '../src/survey/feature.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import type { SurveyResponse } from '../src/survey/responses.ts';
import { MemoryStore } from '../storage/memory.ts';
import { FakeGateway, waitFor } from './fixtures/dingtalk/fake-gateway.ts';

/**
 * Acceptance, as a new DingTalk user would try it: Stream mode against a local fake gateway
 * (DINGTALK_API_BASE pointed at it), the real bot, outbox and needs-diagnosis survey.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

let gw: FakeGateway;
let adapter: DingtalkAdapter;
let outbox: Outbox;
let store: MemoryStore;
const turns: Promise<unknown>[] = [];
let frame = 0;

beforeAll(async () => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  gw = new FakeGateway();
  await gw.start();
  store = new MemoryStore();
  outbox = new Outbox({ store });
  const surveys = await loadSurveys('flows');
  const bot = new Bot({
    store,
    outbox,
    features: [createSurveyFeature({ surveys, timezone: 'Asia/Shanghai' })],
  });
  adapter = createDingtalkAdapter({
    dingtalk: {
      clientId: 'dingapp',
      clientSecret: 'sec',
      robotCode: 'dingrobot123',
      mode: 'stream',
      apiBase: gw.origin,
      oapiBase: gw.origin,
      cardTemplateId: 'StandardCard',
    },
  });
  outbox.register(adapter);
  await outbox.start();
  await adapter.start?.({
    dispatch: (m) => {
      const p = bot.dispatch(m);
      turns.push(p);
      return p.then(() => undefined);
    },
    log: silentLogger,
  });
});
afterAll(async () => {
  await outbox.stop();
  await adapter.stop?.();
  await gw.stop();
});

/** Pushes one frame and waits until its turn is done and the outbox has sent what it queued. */
async function deliver(topic: string, data: unknown, expectTurn = true): Promise<string> {
  const id = `frame-${++frame}`;
  const before = turns.length;
  gw.pushCallback(topic, id, data);
  await waitFor(() => gw.ackFor(id), 3000, `ack of ${id}`);
  if (expectTurn) await waitFor(() => turns.length > before, 3000, `turn of ${id}`);
  await Promise.all(turns);
  await outbox.idle();
  return id;
}

function say(msgId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    ...fixture('direct-text.json'),
    msgId,
    text: { content: text },
    sessionWebhook: `${gw.origin}/session/lisi`,
    sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
    createAt: Date.now(),
    ...extra,
  };
}

describe('DingTalk acceptance (Stream, fake gateway)', () => {
  it('调研 → card; a click and a typed answer both work; a redelivery gets no second reply; an unaddressed group message changes nothing, an addressed one is answered', async () => {
    // 1:1 "调研" starts the survey: the first question has choices → an interactive card (robot API).
    await deliver(STREAM_TOPICS.robot, say('m-1', '调研'));
    const cards = gw.apiCalls.filter((c) => c.path === '/v1.0/im/v1.0/robot/interactiveCards/send');
    expect(cards).toHaveLength(1);
    expect(cards[0].token).toBe('fake-token-1');
    expect(JSON.parse(cards[0].body.singleChatReceiver)).toEqual({ userId: 'lisi' });
    const card = JSON.parse(cards[0].body.cardData);
    expect(card.contents[0].text).toContain('贵公司属于哪种类型？');
    const values = card.contents[1].actions.map((a: { id: string }) => parseButtonActionId(a.id));
    expect(values).toContain('survey:a:company_type:manufacturing');
    expect(gw.webhookPosts).toEqual([]);

    // The user taps 生产型 on the card.
    await deliver(STREAM_TOPICS.card, {
      ...fixture('card-callback.json'),
      outTrackId: cards[0].body.cardBizId,
      content: JSON.stringify({
        cardPrivateData: {
          actionIds: [card.contents[1].actions[values.indexOf('survey:a:company_type:manufacturing')].id],
          params: {},
        },
      }),
    });
    const sends = gw.apiCalls.filter((c) => c.path === '/v1.0/robot/oToMessages/batchSend');
    expect(sends).toHaveLength(1);
    expect(JSON.parse(sends[0].body.msgParam).content).toMatch(/^\(2\/14\) 员工人数大约多少？/);

    // The user types the next answer; the next question (choices again) comes as a second card.
    const typed = say('m-2', '30');
    await deliver(STREAM_TOPICS.robot, typed);
    const cardsNow = gw.apiCalls.filter((c) => c.path === '/v1.0/im/v1.0/robot/interactiveCards/send');
    expect(cardsNow).toHaveLength(2);
    expect(JSON.parse(cardsNow[1].body.cardData).contents[0].text).toContain('(3/14)');

    // DingTalk redelivers the same message (same msgId, new frame): acked, no second reply.
    await deliver(STREAM_TOPICS.robot, typed);
    expect(gw.apiCalls).toHaveLength(3);

    // A plain-text reply goes through the live sessionWebhook, not the robot API.
    await deliver(STREAM_TOPICS.robot, say('m-3', '取消'));
    expect(gw.webhookPosts).toEqual([
      { msgtype: 'text', text: { content: expect.stringContaining('调研已暂停') } },
    ]);
    expect(gw.apiCalls).toHaveLength(3);

    // A group message mentioning someone else: acked, no turn, no reply, no state change.
    const session = JSON.stringify(await store.get('sessions', 'dingtalk:lisi'));
    await deliver(STREAM_TOPICS.robot, fixture('group-other-mention.json'), false);
    expect(JSON.stringify(await store.get('sessions', 'dingtalk:lisi'))).toBe(session);
    expect(gw.webhookPosts).toHaveLength(1);
    expect(gw.apiCalls).toHaveLength(3);

    // The same group message with the bot mentioned is answered, in the group.
    await deliver(STREAM_TOPICS.robot, {
      ...fixture('group-mention.json'),
      sessionWebhook: `${gw.origin}/session/group`,
      sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
    });
    expect(gw.webhookPosts).toHaveLength(2);

    const responses = await store.list<SurveyResponse>('responses', {
      prefix: 'needs-diagnosis/dingtalk:lisi/',
    });
    expect(responses.at(-1)?.value.answers).toMatchObject({ company_type: 'manufacturing', staff_count: 30 });
    expect(gw.tokenFetches).toBe(1);
  });
});
