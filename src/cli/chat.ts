import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Reply } from '../../adapters/dev/index.ts';
import { toReply } from '../../adapters/dev/index.ts';
import { loadConfig, loadDotEnv } from '../config.ts';
import { labelCore } from '../core/text.ts';
import { describeError, openApp } from './open-app.ts';

/**
 * `npm run chat -- --user <id> [--role <role>] [--en]`: talk to the bot in the terminal as local
 * user `dev:<id>`. Uses the running server's `/dev/chat` when one answers on HOST:PORT, else
 * runs the bot in this process on the same DATA_DIR (the store lock keeps the two apart).
 * Buttons are shown numbered; type the number, the label, or anything else.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { user: { type: 'string', default: 'u1' }, role: { type: 'string' }, en: { type: 'boolean' } },
  });
  const userId = values.user ?? 'u1';
  const locale = values.en ? ('en' as const) : undefined;
  loadDotEnv();
  const cfg = loadConfig();
  const base = `http://${cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST}:${cfg.PORT}`;
  const remote = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(800) })
    .then((r) => r.ok)
    .catch(() => false);

  let seen = 0;
  let say: (text: string, first: boolean) => Promise<Reply[]>;
  let pushes: () => Promise<Reply[]>;
  let close = async () => {};
  if (remote) {
    say = async (text, first) => {
      const r = await fetch(`${base}/dev/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          userId,
          text,
          ...(first && values.role ? { role: values.role } : {}),
          ...(locale ? { locale } : {}),
        }),
      });
      if (!r.ok) throw new Error(`server answered HTTP ${r.status}: ${await r.text()}`);
      return ((await r.json()) as { replies: Reply[] }).replies;
    };
    pushes = async () =>
      (await (await fetch(`${base}/dev/outbox?userId=${encodeURIComponent(userId)}`)).json()) as Reply[];
    process.stdout.write(`(connected to the server at ${base} as dev:${userId})\n`);
  } else {
    const { app } = await openApp();
    await app.outbox.start();
    say = async (text, first) => {
      const r = await app.devTurn({
        userId,
        text,
        ...(first && values.role ? { role: values.role } : {}),
        ...(locale ? { locale } : {}),
      });
      if (r.status === 'failed') throw r.error;
      return r.status === 'done' ? r.replies.map(toReply) : [];
    };
    pushes = async () => {
      await Promise.race([app.outbox.idle(), new Promise((r) => setTimeout(r, 500))]);
      return (await app.store.list<Reply>('dev-outbox', { prefix: `${userId}\u0000` })).map((r) => r.value);
    };
    close = () => app.stop();
    process.stdout.write(
      `(bot running in this process on ${cfg.DATA_DIR} as dev:${userId}; 调研 / 课程 / 帮助, Ctrl-D to quit)\n`,
    );
  }
  seen = (await pushes()).length;

  const show = (who: string, r: Reply) => {
    process.stdout.write(`${who} ${r.text.replace(/\n/g, '\n    ')}\n`);
    if (r.buttons?.length)
      process.stdout.write(
        `    ${r.buttons.map((b, i) => `[${i + 1}] ${labelCore(b.label, i)}`).join('  ')}\n`,
      );
  };
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let first = true;
  if (process.stdin.isTTY) rl.setPrompt('你> ');
  rl.prompt?.();
  for await (const line of rl) {
    const text = line.trim();
    if (text) {
      try {
        for (const r of await say(text, first)) show('🤖', r);
        first = false;
        const all = await pushes();
        for (const r of all.slice(seen)) show('📬', r);
        seen = all.length;
      } catch (e) {
        process.stdout.write(`(error: ${describeError(e)})\n`);
      }
    }
    rl.prompt?.();
  }
  await close();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`chat: ${describeError(e)}\n`);
    process.exit(1);
  },
);
