import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.ts';
import { startApp } from './app.ts';

describe('HTTP app (composition root, real server, lowdb)', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await startApp());
  });
  afterAll(async () => {
    await app.stop();
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    const m = await (await fetch(`${url}/metrics`)).text();
    expect(m).toMatch(/^# HELP rollout_turns_total/m);
  });

  it('guards /api with the bearer token and answers JSON errors', async () => {
    const no = await fetch(`${url}/api/surveys`);
    expect(no.status).toBe(401);
    expect(((await no.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const ok = await fetch(`${url}/api/surveys`, { headers: { authorization: 'Bearer admin-secret' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }[]).map((s: { id: string }) => s.id)).toContain(
      'needs-diagnosis',
    );
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('runs local chat turns through the router: survey, FAQ, help', async () => {
    const say = async (userId: string, text: string) =>
      (await (
        await fetch(`${url}/dev/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId, text }),
        })
      ).json()) as {
        replies: { text: string; buttons?: { label: string; value: string }[] }[];
      };
    const first = await say('e2e1', '调研');
    expect(first.replies[0].text).toContain('(1/');
    expect(first.replies[0].buttons?.map((b) => b.label)).toContain('生产型');
    const faq = await say('e2e2', '密码忘了怎么办');
    expect(faq.replies[0].text).toContain('忘记密码');
    const help = await say('e2e3', '帮助');
    expect(help.replies[0].text).toMatch(/调研/);
  });

  it('rejects bad local chat bodies with 400 and changes nothing', async () => {
    const bad = await fetch(`${url}/dev/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"userId":',
    });
    expect(bad.status).toBe(400);
    const empty = await fetch(`${url}/dev/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"userId":"x"}',
    });
    expect(empty.status).toBe(400);
    expect(await app.store.get('sessions', 'dev:x')).toBeUndefined();
  });

  it('runs a job through the admin API with {at}', async () => {
    const r = await fetch(`${url}/api/jobs/milestones/run`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ at: '2026-03-02T01:00:00Z' }),
    });
    expect(r.status).toBe(200);
    expect(typeof ((await r.json()) as { sent: unknown }).sent).toBe('number');
    const unknown = await fetch(`${url}/api/jobs/nope/run`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret' },
    });
    expect(unknown.status).toBe(404);
  });
});
