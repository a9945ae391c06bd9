import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** The server's environment: its own data directory and port, quiet, no scheduler. */
function serverEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    SCHEDULER: 'off',
    ADMIN_TOKEN: 't0k',
  };
}

/** Says `text` as local-chat user `userId` to the server on `port`; the replies' texts, joined. */
async function sayTo(port: number, userId: string, text: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/dev/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, text }),
  });
  return ((await r.json()) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
}

async function boot(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: serverEnv(dataDir, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const end = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (child.exitCode !== null || Date.now() > end)
      throw new Error(`server did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('acceptance: SIGKILL mid-survey, restart, the next answer continues', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('resumes at the same question with no welcome and no reset', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rollout-kill-'));
    const port = await freePort();
    const say = (text: string) => sayTo(port, 'k1', text);
    const a = await boot(dataDir, port);
    children.push(a);
    expect(await say('调研')).toContain('(1/');
    const second = await say('生产');
    expect(second).toMatch(/\(2\/\d+\)/);
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));

    const b = await boot(dataDir, port);
    children.push(b);
    const third = await say('30');
    expect(third).toMatch(/\(3\/\d+\)/);
    expect(third).not.toContain('您好');
    b.kill('SIGTERM');
    await new Promise((r) => b.once('exit', r));
    expect(b.exitCode).toBe(0);

    const c = await boot(dataDir, port);
    children.push(c);
    const r = await fetch(`http://127.0.0.1:${port}/api/surveys/needs-diagnosis/responses`, {
      headers: { authorization: 'Bearer t0k' },
    });
    const rows = (await r.json()) as Array<{
      userId: string;
      answers: Record<string, unknown>;
      completedAt?: string;
    }>;
    const mine = rows.filter((x) => x.userId === 'dev:k1');
    expect(mine).toHaveLength(1);
    expect(mine[0].answers).toMatchObject({ company_type: 'manufacturing', staff_count: 30 });
    expect(mine[0].completedAt).toBeUndefined();
    c.kill('SIGTERM');
    await new Promise((r2) => c.once('exit', r2));
  }, 90_000);
});

describe('npm start: SIGKILL of npm itself stops the server, and the next npm start continues', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('the orphaned server stops within seconds; a restart finds the port and the store free', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rollout-npm-'));
    const port = await freePort();
    const npm = process.env.npm_execpath;
    const start = () =>
      npm
        ? spawn(process.execPath, [npm, 'start'], npmOpts(dataDir, port))
        : spawn('npm', ['start'], npmOpts(dataDir, port));
    const healthy = () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    const until = async (want: boolean, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if ((await healthy()) === want) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    const say = (text: string) => sayTo(port, 'n1', text);
    const a = start();
    children.push(a);
    expect(await until(true, 30_000)).toBe(true);
    expect(await say('调研')).toContain('(1/');
    a.kill('SIGKILL'); // npm only: the server is its grandchild and gets no signal
    expect(await until(false, 10_000)).toBe(true);

    const b = start();
    children.push(b);
    expect(await until(true, 30_000)).toBe(true);
    expect(await say('生产')).toMatch(/\(2\/\d+\)/);
    b.kill('SIGTERM');
    await new Promise((r) => b.once('exit', r));
    expect(await until(false, 10_000)).toBe(true);
  }, 90_000);
});

function npmOpts(dataDir: string, port: number): SpawnOptions {
  return { cwd: root, env: serverEnv(dataDir, port), stdio: 'ignore' };
}
