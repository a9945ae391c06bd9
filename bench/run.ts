/**
 * `npm run bench` — every benchmark the issues ask for, in sequence, one header per section.
 * `npm run bench -- <section> [<section>…]` runs only those (names below; `list` prints them).
 *
 * Each section runs in its own child process (started with `--expose-gc`), so memory figures
 * (peak RSS/heap) are that section's alone and one section's failure does not stop the others.
 * Nothing is asserted: figures and "met / NOT met" lines are printed for the notes. A section
 * whose module is not written yet prints a SKIPPED line. Exit code 0, or 1 if a section crashed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One benchmark section: a module under `bench/` and the function that returns its lines. */
interface Section {
  name: string;
  issue: number;
  title: string;
  file: string;
  fn: string;
  args?: unknown[];
}

const SECTIONS: Section[] = [
  {
    name: 'store',
    issue: 2,
    title: 'survey answer turn with its durable write, at 1k / 10k / 100k stored responses (default store)',
    file: 'store.ts',
    fn: 'benchStore',
  },
  {
    name: 'ingest',
    issue: 2,
    title: 'WeCom webhook ingest vs bare node:http and the express floor',
    file: 'ingest.ts',
    fn: 'benchIngest',
  },
  {
    name: 'ingest-platforms',
    issue: 3,
    title: 'every platform webhook path → bot, vs bare, the express floor and plain Bolt',
    file: 'ingest-platforms.ts',
    fn: 'benchIngestPlatforms',
  },
  {
    name: 'fanout',
    issue: 3,
    title: 'fan-out through the outbox to a rate-limited fake platform',
    file: 'fanout.ts',
    fn: 'benchFanout',
  },
  {
    name: 'faq',
    issue: 4,
    title: 'FAQ query latency and index build with 10,000 entries',
    file: 'faq.ts',
    fn: 'benchFaq',
  },
  {
    name: 'faq-eval',
    issue: 4,
    title: 'FAQ accuracy on shared/eval/faq-dev (misses: npm run eval:faq)',
    file: 'eval-faq.ts',
    fn: 'evalFaq',
    args: [{ showMisses: false }],
  },
  {
    name: 'lessons-push',
    issue: 5,
    title: 'daily lesson push to 10,000 roster users',
    file: 'lessons-push.ts',
    fn: 'benchLessonsPush',
  },
];

const SELF = fileURLToPath(import.meta.url);
const here = (f: string) => fileURLToPath(new URL(`./${f}`, import.meta.url));

/** Child side: runs one section and prints its lines. */
async function runSection(s: Section): Promise<void> {
  if (!existsSync(here(s.file))) {
    console.log(`  SKIPPED: bench/${s.file} is not written yet`);
    return;
  }
  const mod = (await import(pathToFileURL(here(s.file)).href)) as Record<string, unknown>;
  const fn = mod[s.fn];
  if (typeof fn !== 'function') {
    console.log(`  SKIPPED: bench/${s.file} does not export ${s.fn}() yet`);
    return;
  }
  const lines = (await fn(...(s.args ?? []))) as string[];
  for (const line of lines) console.log(line.length ? `  ${line}` : '');
}

/** Parent side: one child process per section, in sequence. */
function spawnSection(s: Section): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', SELF, '--section', s.name], {
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function main(): Promise<number> {
  const i = process.argv.indexOf('--section');
  if (i > 0) {
    const s = SECTIONS.find((x) => x.name === process.argv[i + 1]);
    if (!s) throw new Error(`unknown section ${process.argv[i + 1]}`);
    await runSection(s);
    process.exit(0); // a stray handle left by a module must not hang the run (pipes flush synchronously on Linux)
  }
  const wanted = process.argv.slice(2);
  if (wanted.includes('list')) {
    for (const s of SECTIONS) console.log(`${s.name.padEnd(18)} issue ${s.issue}: ${s.title}`);
    return 0;
  }
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(
      `unknown section(s): ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const chosen = wanted.length ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;
  const [l1, l5] = loadavg();
  console.log(
    `rollout-bot benchmarks — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ` +
      `load average ${l1.toFixed(1)} / ${l5.toFixed(1)} (1 / 5 min)`,
  );
  if (l1 > cpus().length)
    console.log(
      'WARNING: the machine is busy (load above the core count): timings below are inflated and noisy.',
    );
  const summary: string[] = [];
  let failed = 0;
  for (const s of chosen) {
    console.log(`\n== ${s.name} (issue ${s.issue}): ${s.title} ==`);
    const t0 = performance.now();
    const code = await spawnSection(s);
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    if (code !== 0) {
      failed++;
      console.log(`  FAILED: section exited with code ${code}`);
    }
    summary.push(`  ${s.name.padEnd(18)} ${code === 0 ? 'ok    ' : 'FAILED'} ${took.padStart(6)} s`);
  }
  console.log(`\n== summary (load average now ${loadavg()[0].toFixed(1)}) ==`, `\n${summary.join('\n')}`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
