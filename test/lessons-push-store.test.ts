// Host zone deliberately far from Shanghai; dates must not depend on it.
process.env.TZ = 'America/Los_Angeles';

import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Adapter } from '../src/core/adapter.ts';
import { OUTBOX_BODY, Outbox } from '../src/core/outbox.ts';
import { ManualClock } from '../src/core/types.ts';
import { createLessonsJob } from '../src/lessons/job.ts';
import { loadLessons } from '../src/lessons/load.ts';
import { MemoryStore } from '../storage/memory.ts';

const AT = Date.parse('2026-03-02T02:00:00Z'); // Monday 10:00 Shanghai: every track has fired
const ROLES = ['仓库管理员', '销售', '财务', '客服', '管理层', ''];

describe('lesson push through the compact outbox', () => {
  it('stores each lesson text once for 60 users, and a restart sends every push exactly once', async () => {
    const clock = new ManualClock(AT);
    const store = new MemoryStore(clock);
    for (let i = 0; i < 60; i++)
      await store.put('roster', `wecom:u${i}`, {
        name: `员工${i}`,
        roles: ROLES[i % 6] ? [ROLES[i % 6]] : [],
      });
    const tracks = await loadLessons(join(import.meta.dirname, '..', 'flows'));
    const planner = new Outbox({ store, clock }); // never started: the job only queues
    const job = createLessonsJob({
      store,
      outbox: planner,
      tracks,
      calendar: createWorkCalendar(),
      tz: 'Asia/Shanghai',
    });
    const run = await job.run(AT);
    expect(run.sent).toBeGreaterThan(60);

    const records = await store.list<Record<string, unknown>>('outbox');
    expect(records).toHaveLength(run.sent);
    expect(records.every((r) => typeof r.value.body === 'string' && r.value.message === undefined)).toBe(
      true,
    );
    const bodies = await store.list(OUTBOX_BODY);
    expect(bodies.length).toBe(new Set(records.map((r) => r.value.body)).size);
    expect(bodies.length).toBeLessThanOrEqual(tracks.length); // first lesson of each track, one locale

    const sent: Array<{ user: string; text: string; key?: string }> = [];
    const adapter: Adapter = {
      platform: 'wecom',
      async send(to, message, opts) {
        sent.push({ user: to.userId!, text: message.text, key: opts?.idempotencyKey });
        return {};
      },
    };
    const outbox = new Outbox({ store, clock, window: 16 });
    outbox.register(adapter);
    await outbox.start();
    await vi.waitFor(() => expect(sent).toHaveLength(run.sent));
    await outbox.idle();
    expect(new Set(sent.map((s) => s.key)).size).toBe(run.sent);
    // 全员 (everyone) plus the role's own track: the warehouse user gets both first lessons.
    const u0 = sent.filter((s) => s.user === 'u0').map((s) => s.text.split('\n')[0]);
    expect(u0).toHaveLength(2);
    expect(await store.list('outbox')).toEqual([]);
    expect(await store.list(OUTBOX_BODY)).toEqual([]);
    expect((await job.run(AT)).sent).toBe(0); // same firing again: deduped
  });
});
