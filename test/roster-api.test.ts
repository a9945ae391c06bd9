import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/types.ts';
import { createRosterApi } from '../src/roster/api.ts';
import { MemoryStore } from '../storage/memory.ts';

const clock = new ManualClock(Date.parse('2025-06-03T01:00:00Z'));
const store = new MemoryStore(clock);
let base = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;

beforeAll(async () => {
  const app = express();
  app.use('/api', createRosterApi({ store, clock }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

// biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON
type Json = any;
const post = async (body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${base}/roster`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};
const get = async (q = ''): Promise<Json> => (await fetch(`${base}/roster${q}`)).json();

describe('roster admin API', () => {
  it('POST one object or an array upserts by userId; GET lists and filters', async () => {
    expect(
      await post({ userId: 'wecom:zhangsan', name: '张三', department: '仓储部', roles: '仓库管理员、全员' }),
    ).toEqual({
      status: 200,
      body: { imported: 1, updated: 0, unchanged: 0 },
    });
    const r = await post([
      { userId: 'wecom:zhangsan', roles: ['仓库管理员'] }, // partial update keeps name/department
      {
        userId: 'wecom:lisi',
        name: '李四',
        department: '财务部',
        roles: ['财务'],
        manager: 'wecom:zhangsan',
      },
    ]);
    expect(r).toEqual({ status: 200, body: { imported: 1, updated: 1, unchanged: 0 } });
    const all = await get();
    expect(all).toHaveLength(2);
    expect(all[1]).toEqual({
      userId: 'wecom:zhangsan',
      name: '张三',
      department: '仓储部',
      roles: ['仓库管理员'],
      updatedAt: clock.now(),
    });
    expect((await get('?role=财务')).map((u: Json) => u.userId)).toEqual(['wecom:lisi']);
    expect((await get(`?department=${encodeURIComponent('仓储部')}`)).map((u: Json) => u.userId)).toEqual([
      'wecom:zhangsan',
    ]);
  });

  it('any invalid entry → 400 with reasons per index, and nothing is written', async () => {
    const r = await post([
      { userId: 'wecom:ok', name: '好' },
      { userId: 'nobody', name: 'x' },
      { userId: 'wecom:tz', name: 'y', timezone: 'Mars/Base', extra: 1 },
      { userId: 'wecom:new-without-name' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
    expect(r.body.error.details.map((d: Json) => d.index)).toEqual([1, 2, 3]);
    expect(r.body.error.details[1].problems.join(' ')).toMatch(/timezone/);
    expect(r.body.error.details[1].problems.join(' ')).toMatch(/extra/);
    expect(r.body.error.details[2].problems).toEqual(['name: required for a new user']);
    expect((await get()).map((u: Json) => u.userId)).not.toContain('wecom:ok');
    expect((await post('{"userId":')).status).toBe(400);
    expect((await post('"text"')).status).toBe(400);
  });
});
