import type { AddressInfo } from 'node:net';
import { parse as parseCsv } from 'csv-parse/sync';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ManualClock } from '../src/core/types.ts';
import { createTicketApi } from '../src/tickets/api.ts';
import { createTicketFeature } from '../src/tickets/feature.ts';
import { ticketSettings } from '../src/tickets/model.ts';
import { createTicketSlaJob } from '../src/tickets/sla-job.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const sh = (s: string) => Date.parse(`${s}+08:00`);
const settings = ticketSettings(
  {
    TICKET_HANDLERS: ['dev:it1', 'dev:it2'],
    TICKET_LEAD: 'dev:lead',
    TICKET_VENDOR: undefined,
    TICKET_SLA_HOURS: 4,
    TICKET_SLA_CALENDAR: 'working',
    WORK_HOURS: '09:00-12:00,13:00-18:00',
    BOT_TIMEZONE: 'Asia/Shanghai',
  },
  createWorkCalendar(),
);

let h: Harness;
let url: string;
let server: ReturnType<express.Express['listen']>;
const clock = new ManualClock(sh('2026-03-02T09:00'));

beforeAll(async () => {
  h = await createHarness({ features: [createTicketFeature({ settings, categorize: () => '账号' })], clock });
  const job = createTicketSlaJob({ store: h.store, outbox: h.outbox, settings });
  // T1 at 09:00: answered by it1 at 09:30 and resolved with an answer → ok, resolved
  await h.say('u1', '密码输错五次被锁了');
  await h.say('u1', '转人工');
  clock.set(sh('2026-03-02T09:30'));
  await h.say('it1', '回复 T1 我已在后台解锁，请用"忘记密码"重置，新密码至少 8 位。');
  await h.say('it1', '解决 T1');
  // T2 at 10:00, claimed by it2 and never answered → breached at its deadline, 15:00
  clock.set(sh('2026-03-02T10:00'));
  await h.say('u2', '报表导出是乱码');
  await h.say('u2', '转人工');
  await h.say('it2', '认领 T2');
  // T3 at 12:30 (lunch): due 17:00, 75 % at 16:00
  clock.set(sh('2026-03-02T12:30'));
  await h.say('u3', '移动端登录不上');
  await h.say('u3', '转人工');
  // now 16:10: T2 breached (job ran), T3 at risk
  clock.set(sh('2026-03-02T16:10'));
  await job.run(clock.now());
  const app = express();
  app.use('/api', createTicketApi({ store: h.store, clock, tz: 'Asia/Shanghai' }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  server?.close();
  await h?.close();
});

const ids = async (q: string) =>
  ((await (await fetch(`${url}/tickets${q}`)).json()) as Array<{ id: string }>).map((t) => t.id);

describe('GET /api/tickets', () => {
  it('lists every ticket with its SLA state', async () => {
    const res = await fetch(`${url}/tickets`);
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<{ id: string; status: string; sla: string; handler?: string }>;
    expect(rows.map((r) => [r.id, r.status, r.sla, r.handler])).toEqual([
      ['T1', 'resolved', 'ok', 'dev:it1'],
      ['T2', 'claimed', 'breached', 'dev:it2'],
      ['T3', 'open', 'at_risk', undefined],
    ]);
  });

  it('filters by status, SLA state and handler', async () => {
    expect(await ids('?status=open,claimed')).toEqual(['T2', 'T3']);
    expect(await ids('?sla=breached')).toEqual(['T2']);
    expect(await ids('?sla=at_risk&status=open')).toEqual(['T3']);
    expect(await ids('?handler=dev:it1')).toEqual(['T1']);
    expect(await ids('?status=closed')).toEqual([]);
  });

  it('rejects an unknown filter value with 400 bad_request', async () => {
    const res = await fetch(`${url}/tickets?sla=late`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('exports CSV in UTF-8 with a BOM, local times, Chinese intact', async () => {
    const res = await fetch(`${url}/tickets?format=csv&status=resolved,claimed`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(Buffer.from(bytes).toString('utf8'), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r.id)).toEqual(['T1', 'T2']);
    expect(rows[0]).toMatchObject({
      question: '密码输错五次被锁了',
      category: '账号',
      createdAt: '2026-03-02 09:00:00',
      dueAt: '2026-03-02 14:00:00',
      firstResponseAt: '2026-03-02 09:30:00',
      sla: 'ok',
    });
    expect(rows[1]).toMatchObject({ sla: 'breached', breachedAt: '2026-03-02 15:00:00', handler: 'dev:it2' });
  });
});

describe('GET /api/tickets/:id/faq-draft', () => {
  it('drafts an FAQ entry from a resolved ticket: question, the handler replies, the category as tag', async () => {
    const res = await fetch(`${url}/tickets/T1/faq-draft`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'ticket-t1',
      questions: ['密码输错五次被锁了'],
      answer: '我已在后台解锁，请用"忘记密码"重置，新密码至少 8 位。\n',
      tags: ['账号'],
    });
  });

  it('as YAML that is a valid flows/faq file', async () => {
    const res = await fetch(`${url}/tickets/t1/faq-draft?format=yaml`);
    expect(res.headers.get('content-type')).toMatch(/yaml/);
    const doc = parseYaml(await res.text()) as {
      entries: Array<{ id: string; questions: string[]; answer: string }>;
    };
    expect(doc.entries).toHaveLength(1);
    expect(doc.entries[0]).toMatchObject({ id: 'ticket-t1', questions: ['密码输错五次被锁了'] });
    expect(doc.entries[0].answer).toContain('忘记密码');
  });

  it('404 not_found for an unknown ticket; 400 for one not resolved yet', async () => {
    const res = await fetch(`${url}/tickets/T99/faq-draft`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const open = await fetch(`${url}/tickets/T3/faq-draft`);
    expect(open.status).toBe(400);
    expect(((await open.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
