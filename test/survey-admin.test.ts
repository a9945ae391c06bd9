import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/types.ts';
import { createSurveyApi } from '../src/survey/admin.ts';
import { createSurveyFeature } from '../src/survey/feature.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import { MemoryStore } from '../storage/memory.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
let server: Server;
let base: string;

beforeAll(async () => {
  const surveys = await loadSurveys('flows');
  const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
  const store = new MemoryStore(clock);
  h = await createHarness({
    features: [createSurveyFeature({ surveys, timezone: 'Asia/Shanghai' })],
    store,
    clock,
  });
  // One finished manufacturer with a note in Chinese (with a comma and quotes), one half-way.
  for (const a of [
    '调研',
    '1',
    '30',
    '2',
    '1,3',
    '1',
    '2',
    '3',
    '2',
    '否',
    '1',
    '3',
    '是',
    '2026-06-01',
    '库存，总是"对不上"',
  ])
    await h.say('zhang', a);
  clock.advance(60_000);
  for (const a of ['调研', '商贸型', '12']) await h.say('wang', a);
  const app = express();
  app.use('/api', createSurveyApi({ surveys, store }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await h.close();
  await new Promise((ok) => server.close(ok));
});

describe('survey admin API', () => {
  it('GET /surveys lists the loaded surveys', async () => {
    const res = await fetch(`${base}/surveys`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ id: string; questions: unknown[] }>;
    expect(body.map((s) => s.id)).toEqual(['needs-diagnosis']);
    expect(body[0].questions.length).toBeGreaterThan(10);
  });

  it('GET /surveys/:id/responses gives every response, unfinished included', async () => {
    const res = await fetch(`${base}/surveys/needs-diagnosis/responses`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const rows = (await res.json()) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      {
        userId: 'dev:wang',
        platform: 'dev',
        startedAt: '2026-03-02T01:01:00.000Z',
        status: 'in_progress',
        answers: { company_type: 'trade', staff_count: 12 },
      },
      {
        userId: 'dev:zhang',
        platform: 'dev',
        startedAt: '2026-03-02T01:00:00.000Z',
        completedAt: '2026-03-02T01:00:00.000Z',
        status: 'completed',
        answers: expect.objectContaining({
          tools: ['paper', 'excel'],
          cloud_ready: true,
          notes: '库存，总是"对不上"',
        }),
      },
    ]);
  });

  it('?format=csv: UTF-8 with a BOM, one column per question, multi joined with ;, Chinese intact', async () => {
    const res = await fetch(`${base}/surveys/needs-diagnosis/responses?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('库存，总是""对不上""'); // quoted, not mangled
    const rows: string[][] = parse(text, { bom: true });
    const [header, wang, zhang] = rows;
    expect(header.slice(0, 6)).toEqual([
      'userId',
      'platform',
      'status',
      'startedAt',
      'completedAt',
      'company_type',
    ]);
    expect(header).toContain('inventory_lag_days');
    expect(header).toHaveLength(5 + 19);
    const col = (row: string[], id: string) => row[header.indexOf(id)];
    expect(col(zhang, 'tools')).toBe('paper;excel');
    expect(col(zhang, 'inventory_lag_days')).toBe('3');
    expect(col(zhang, 'cloud_ready')).toBe('true');
    expect(col(zhang, 'dup_customers')).toBe('false');
    expect(col(zhang, 'notes')).toBe('库存，总是"对不上"');
    expect(col(wang, 'company_type')).toBe('trade');
    expect(col(wang, 'completedAt')).toBe('');
    expect(col(wang, 'tools')).toBe('');
  });

  it('an unknown survey is 404 not_found; an unknown format is 400', async () => {
    const res = await fetch(`${base}/surveys/nope/responses`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: "no survey 'nope'" } });
    const bad = await fetch(`${base}/surveys/needs-diagnosis/responses?format=xml`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
