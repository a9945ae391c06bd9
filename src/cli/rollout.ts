import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { loadConfig, loadDotEnv } from '../config.ts';
import { loadContent } from '../content/load-all.ts';
import { ContentError } from '../core/errors.ts';
import type { StoreDump } from '../core/store.ts';
import { importRoster } from '../roster/index.ts';
import { describeError, openApi, openApp } from './open-app.ts';

const USAGE = `rollout <command>
  validate                              check flow content (file:line: problem)
  import roster <file.csv|file.xlsx>    import or update the roster
  export <what> [--format csv|xlsx|json] [--survey <id>] [--out <file>]
        what: responses | tickets | lessons | roster | milestones | dead-letters
  backup [--out <file>]                 write the whole store to DATA_DIR/backups/
  restore <file>                        replace the store with a backup
  run-job <name> [--at <ISO time>]      run lessons | milestones | survey-reminders | digest | tickets-sla now`;

const EXPORTS: Record<string, (o: { survey?: string }) => string> = {
  responses: (o) => `/api/surveys/${encodeURIComponent(o.survey ?? 'needs-diagnosis')}/responses`,
  tickets: () => '/api/tickets',
  lessons: () => '/api/lessons/progress',
  roster: () => '/api/roster',
  milestones: () => '/api/milestones',
  'dead-letters': () => '/api/outbox/dead',
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'json' },
      survey: { type: 'string' },
      out: { type: 'string' },
      at: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...rest] = positionals;
  if (!cmd || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  if (cmd === 'validate') {
    loadDotEnv();
    const cfg = loadConfig();
    try {
      const c = await loadContent(cfg.FLOWS_DIR);
      process.stdout.write(
        `ok: ${c.surveys.length} surveys, ${c.tracks.length} lesson tracks, ${c.faq.entries.length} FAQ entries, ${c.templates.length} milestone templates in ${cfg.FLOWS_DIR}\n`,
      );
      return 0;
    } catch (e) {
      if (e instanceof ContentError) {
        for (const p of e.problems)
          process.stdout.write(`${p.file}:${p.line ?? 0}: ${p.entry ? `${p.entry}: ` : ''}${p.problem}\n`);
        return 1;
      }
      throw e;
    }
  }
  if (cmd === 'import' && rest[0] === 'roster' && rest[1]) {
    const { app } = await openApp();
    try {
      const r = await importRoster(app.store, resolve(rest[1]));
      process.stdout.write(`imported ${r.imported}, updated ${r.updated}, rejected ${r.errors.length}\n`);
      for (const e of r.errors) process.stdout.write(`${rest[1]}:${e.line}: ${e.problem}\n`);
      return r.errors.length ? 1 : 0;
    } finally {
      await app.stop();
    }
  }
  if (cmd === 'export' && rest[0]) {
    const path = EXPORTS[rest[0]];
    if (!path) throw new Error(`unknown export "${rest[0]}"; one of ${Object.keys(EXPORTS).join(', ')}`);
    const format = values.format ?? 'json';
    if (!['csv', 'xlsx', 'json'].includes(format)) throw new Error('--format must be csv, xlsx or json');
    const api = await openApi();
    try {
      const asCsv = format !== 'json';
      const r = await api.call(`${path(values)}${asCsv ? '?format=csv' : ''}`);
      if (r.status !== 200) throw new Error(`export failed: HTTP ${r.status} ${r.text}`);
      // Routes without a CSV form answer JSON: flatten it here.
      let bytes = r.bytes;
      if (asCsv && !r.type.includes('csv'))
        bytes = Buffer.from(`\uFEFF${jsonToCsv(JSON.parse(r.text))}`, 'utf8');
      if (format === 'xlsx') {
        const out = values.out ?? `${rest[0]}.xlsx`;
        await writeXlsx(bytes.toString('utf8'), rest[0], out);
        process.stdout.write(`wrote ${out}\n`);
      } else if (values.out) {
        await writeFile(values.out, bytes);
        process.stdout.write(`wrote ${values.out}\n`);
      } else process.stdout.write(bytes);
      return 0;
    } finally {
      await api.close();
    }
  }
  if (cmd === 'backup') {
    const { app } = await openApp();
    try {
      const dump = await app.store.dump();
      const dir = join(app.config.DATA_DIR, 'backups');
      await mkdir(dir, { recursive: true });
      const out = values.out ?? join(dir, `rollout-${dump.exportedAt.replace(/[:.]/g, '-')}.json`);
      await writeFile(out, JSON.stringify(dump));
      const n = Object.values(dump.collections).reduce((a, c) => a + Object.keys(c).length, 0);
      process.stdout.write(
        `backup: ${n} documents in ${Object.keys(dump.collections).length} collections → ${out}\n`,
      );
      return 0;
    } finally {
      await app.stop();
    }
  }
  if (cmd === 'restore' && rest[0]) {
    const dump = JSON.parse(await readFile(rest[0], 'utf8')) as StoreDump;
    const { app } = await openApp();
    try {
      await app.store.restore(dump);
      process.stdout.write(`restored ${rest[0]} (taken ${dump.exportedAt})\n`);
      return 0;
    } finally {
      await app.stop();
    }
  }
  if (cmd === 'run-job' && rest[0]) {
    const api = await openApi();
    try {
      const r = await api.call(`/api/jobs/${encodeURIComponent(rest[0])}/run`, {
        method: 'POST',
        body: values.at ? { at: values.at } : {},
      });
      process.stdout.write(`${r.text}\n`);
      return r.status === 200 ? 0 : 1;
    } finally {
      // Local: deliver what the job queued (local-chat pushes land in /dev/outbox).
      await api.close();
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/** A JSON array of objects → CSV (columns = union of keys; nested values as JSON). */
export function jsonToCsv(data: unknown): string {
  const rows = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
  const cols = [...new Set(rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return stringifyCsv([cols, ...rows.map((r) => cols.map((c) => cell(r?.[c])))]);
}

/** CSV text (as the admin API gives it) → a one-sheet XLSX file. */
async function writeXlsx(csv: string, sheet: string, out: string): Promise<void> {
  const rows = parseCsv(csv.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  if (rows.length) ws.getRow(1).font = { bold: true };
  await wb.xlsx.writeFile(out);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`rollout: ${describeError(e)}\n`);
    process.exit(1);
  },
);
