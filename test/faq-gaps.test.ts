import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/types.ts';
import { createFaqApi } from '../src/faq/api.ts';
import { createFaqIndex } from '../src/faq/faq-index.ts';
import { type FaqGap, GAPS, type GapGroup, groupGaps } from '../src/faq/gaps.ts';
import { MemoryStore } from '../storage/memory.ts';

const index = createFaqIndex(
  [{ id: 'password-reset', questions: ['忘记密码怎么办'], answer: '点「忘记密码」。' }],
  [
    ['忘记', '忘了', '想不起来'],
    ['工资条', '工资单'],
  ],
);
const T0 = Date.parse('2026-03-02T01:00:00Z');
const gap = (question: string, minutes: number, extra: Partial<FaqGap> = {}): FaqGap => ({
  question,
  reason: 'unknown',
  userKey: `dev:u${minutes}`,
  at: T0 + minutes * 60_000,
  ...extra,
});
const GAPS_FIXTURE: FaqGap[] = [
  gap('公司VPN连不上', 1, { reason: 'out_of_scope', topic: 'network' }),
  gap('工资条在哪看', 2),
  gap('vpn老是连不上', 3, { reason: 'out_of_scope', topic: 'network' }),
  gap('VPN连不上', 4, { reason: 'out_of_scope', topic: 'network' }),
  gap('工资单在哪里看', 5),
  gap('密码忘了怎么办', 6, { reason: 'disliked', entryId: 'password-reset' }),
  gap('VPN连不上', 7, { reason: 'out_of_scope', topic: 'network' }),
];

describe('groupGaps', () => {
  it('groups similar questions (thesaurus applied), largest group first, with counts and reasons', () => {
    const groups = groupGaps(GAPS_FIXTURE, (q) => index.analyze(q));
    expect(groups.map((g) => g.count)).toEqual([4, 2, 1]);
    expect(groups[0]).toMatchObject({
      question: 'VPN连不上',
      reasons: { out_of_scope: 4 },
      topics: ['network'],
      firstAt: new Date(T0 + 60_000).toISOString(),
      lastAt: new Date(T0 + 7 * 60_000).toISOString(),
    });
    expect(groups[0].examples).toEqual(['VPN连不上', '公司VPN连不上', 'vpn老是连不上']);
    expect(groups[1]).toMatchObject({ count: 2, reasons: { unknown: 2 } }); // 工资条 = 工资单
    expect(groups[2]).toMatchObject({ question: '密码忘了怎么办', entries: { 'password-reset': 1 } });
  });

  it('groups questions without index terms by their characters', () => {
    const groups = groupGaps([gap('你会唱歌吗', 1), gap('你会唱歌吗', 2), gap('说个段子', 3)], () => []);
    expect(groups.map((g) => [g.question, g.count])).toEqual([
      ['你会唱歌吗', 2],
      ['说个段子', 1],
    ]);
  });
});

describe('GET /faq/gaps', () => {
  let url: string;
  let server: ReturnType<express.Express['listen']>;
  beforeAll(async () => {
    const store = new MemoryStore(new ManualClock(T0));
    for (const [i, g] of GAPS_FIXTURE.entries()) await store.put(GAPS, `${g.at}:m${i}`, g);
    const app = express();
    app.use('/api', createFaqApi({ store, index: () => index }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  type Body = { total: number; groups: GapGroup[]; error: { code: string } };
  const get = async (q = '') => (await (await fetch(`${url}/faq/gaps${q}`)).json()) as Body;

  it('lists the groups most frequent first', async () => {
    const res = await fetch(`${url}/faq/gaps`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.total).toBe(7);
    expect(body.groups.map((g) => g.count)).toEqual([4, 2, 1]);
  });

  it('filters by reason, time and limit', async () => {
    expect((await get('?reason=unknown,disliked')).total).toBe(3);
    expect((await get(`?since=${new Date(T0 + 4 * 60_000).toISOString()}`)).total).toBe(4);
    expect((await get('?limit=1')).groups).toHaveLength(1);
  });

  it('answers 400 on a bad filter', async () => {
    for (const q of ['reason=bogus', 'since=yesterday', 'limit=0']) {
      const res = await fetch(`${url}/faq/gaps?${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Body).error.code).toBe('bad_request');
    }
  });

  it('lists the loaded entries', async () => {
    const body = await (await fetch(`${url}/faq/entries`)).json();
    expect(body).toEqual([
      { id: 'password-reset', title: '忘记密码怎么办', questions: ['忘记密码怎么办'], tags: [] },
    ]);
  });
});
