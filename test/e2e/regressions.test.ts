import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.ts';
import { importRoster } from '../../src/roster/index.ts';
import { startApp } from './app.ts';

describe('regressions found by fresh-clone testing', () => {
  let app: App;
  let url: string;
  let dataDir: string;
  const auth = { authorization: 'Bearer admin-secret' };
  beforeAll(async () => {
    ({ app, url, dataDir } = await startApp());
  });
  afterAll(async () => {
    await app.stop();
  });

  it('a roster exported as CSV imports back unchanged (roles stay a list)', async () => {
    const post = await fetch(`${url}/api/roster`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify([
        { userId: 'dev:r1', name: '张三', department: '仓库', roles: ['仓库管理员', '全员'] },
      ]),
    });
    expect(post.status).toBeLessThan(300);
    const res = await fetch(`${url}/api/roster?format=csv`, { headers: auth });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('userId,name,department,roles,manager,timezone');
    const file = join(dataDir, 'roster-export.csv');
    await writeFile(file, bytes);
    await importRoster(app.store, file);
    const after = (await (await fetch(`${url}/api/roster`, { headers: auth })).json()) as Array<{
      userId: string;
      roles: string[];
    }>;
    expect(after.find((u) => u.userId === 'dev:r1')?.roles).toEqual(['仓库管理员', '全员']);
  });

  it('a bare number or date typed outside a flow gets no FAQ answer', async () => {
    for (const text of ['12', '31日']) {
      const r = await fetch(`${url}/dev/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `num-${text}`, text }),
      });
      const { replies } = (await r.json()) as { replies: { text: string }[] };
      expect(replies[0].text).not.toMatch(/【/);
    }
  });
});

describe('进度 outside a survey', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await startApp());
  });
  afterAll(async () => {
    await app.stop();
  });
  const say = async (userId: string, text: string) => {
    const r = await fetch(`${url}/dev/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text }),
    });
    return ((await r.json()) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
  };
  it('says there is nothing in progress, or where a paused survey stands', async () => {
    expect(await say('st1', '进度')).toContain('没有进行中的调研');
    await say('st2', '调研');
    await say('st2', '生产');
    await say('st2', '取消');
    expect(await say('st2', '进度')).toContain('已回答 1 题');
  });
});
