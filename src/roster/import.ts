import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Store } from '../core/store.ts';
import type { Clock, Platform } from '../core/types.ts';
import { systemClock } from '../core/types.ts';
import { planUpsert } from './store.ts';
import { type RosterInput, RosterInputSchema, zodReasons } from './types.ts';

/** What an import did. `errors` name the file's line (1 = header row) and the problem. */
export interface RosterImportResult {
  /** New users. */
  imported: number;
  /** Existing users whose fields changed. */
  updated: number;
  /** Existing users the file did not change. */
  unchanged: number;
  errors: Array<{ line: number; problem: string }>;
  /** Header cells that matched no known column (ignored). */
  ignoredColumns: string[];
}

/** A sheet row: its line in the file and its cells as text. */
interface Row {
  line: number;
  cells: string[];
}

/** Column names, English and Chinese, after normalizing (NFKC, lower case, no spaces/_/-). */
const HEADERS: Record<string, string[]> = {
  userId: ['userid', 'user', 'id', '用户id', '用户', '账号', '帐号', '成员id', '员工id'],
  name: ['name', '姓名', '名字', '名称'],
  department: ['department', 'dept', '部门'],
  roles: ['roles', 'role', '角色', '岗位'],
  manager: ['manager', '上级', '直属上级', '经理', '主管', '汇报对象'],
  timezone: ['timezone', 'tz', '时区'],
  locale: ['locale', 'language', 'lang', '语言'],
};

const normalizeHeader = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-()（）]/g, '');

/**
 * Reads a roster file: CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it on Chinese
 * Windows) or XLSX (first worksheet). The first non-empty row is the header.
 * @throws {Error} when the file cannot be read or is not CSV/XLSX.
 */
export async function readRosterRows(filePath: string): Promise<Row[]> {
  const buf = await readFile(filePath);
  const ext = extname(filePath).toLowerCase();
  const zip = buf.subarray(0, 2).toString('latin1') === 'PK';
  if (ext === '.xls') throw new Error('old .xls files are not supported; save it as .xlsx or .csv');
  if (ext === '.xlsx' || zip) return readXlsx(buf);
  return readCsv(buf);
}

function decode(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

function readCsv(buf: Buffer): Row[] {
  const records = parseCsv(decode(buf), {
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  return records.map((r) => ({ line: r.info.lines, cells: r.record }));
}

async function readXlsx(buf: Buffer): Promise<Row[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const rows: Row[] = [];
  ws.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text.trim());
    if (cells.some(Boolean)) rows.push({ line, cells });
  });
  return rows;
}

/**
 * Imports a roster file (`rollout import roster file.xlsx`): header row
 * `userId,name,department,roles,manager,timezone` (Chinese names such as 姓名/部门/角色 work
 * too); roles separated by `;` or `、`. A bad row is reported with its line number and the rest
 * are imported; re-importing updates users by `userId` and never duplicates. A column the
 * header lacks keeps its stored values; an empty cell clears the field.
 * @param opts.defaultPlatform prefix for bare user ids (`zhangsan` → `wecom:zhangsan`); without
 *   it a bare id is a row error.
 * @throws {Error} when the file cannot be read.
 */
export async function importRoster(
  store: Store,
  filePath: string,
  opts: { clock?: Clock; defaultPlatform?: Platform } = {},
): Promise<RosterImportResult> {
  return importRosterRows(store, await readRosterRows(filePath), opts);
}

/** {@link importRoster} on rows already read (line numbers as in the file). */
export async function importRosterRows(
  store: Store,
  rows: Row[],
  opts: { clock?: Clock; defaultPlatform?: Platform } = {},
): Promise<RosterImportResult> {
  const result: RosterImportResult = {
    imported: 0,
    updated: 0,
    unchanged: 0,
    errors: [],
    ignoredColumns: [],
  };
  const [header, ...data] = rows;
  if (!header) return { ...result, errors: [{ line: 1, problem: 'the file is empty' }] };
  const columns: Array<string | undefined> = header.cells.map((cell) => {
    const h = normalizeHeader(cell);
    return Object.keys(HEADERS).find((field) => HEADERS[field].includes(h));
  });
  result.ignoredColumns = header.cells.filter((c, i) => c && !columns[i]);
  const missing = ['userId', 'name'].filter((f) => !columns.includes(f));
  if (missing.length) {
    const problem = `header row lacks ${missing.join(' and ')} (expected columns: userId,name,department,roles,manager,timezone)`;
    return { ...result, errors: [{ line: header.line, problem }] };
  }
  const present = new Set(columns.filter((c): c is string => !!c));
  const firstLine = new Map<string, number>();
  const entries: Array<{ input: RosterInput; present: ReadonlySet<string>; index: number }> = [];
  for (const row of data) {
    const obj: Record<string, string> = {};
    columns.forEach((field, i) => {
      if (field) obj[field] = row.cells[i] ?? '';
    });
    if (opts.defaultPlatform && obj.userId && !obj.userId.includes(':'))
      obj.userId = `${opts.defaultPlatform}:${obj.userId}`;
    const parsed = RosterInputSchema.safeParse(obj);
    if (!parsed.success) {
      result.errors.push({ line: row.line, problem: zodReasons(parsed.error).join('; ') });
      continue;
    }
    const seen = firstLine.get(parsed.data.userId);
    if (seen !== undefined) {
      result.errors.push({
        line: row.line,
        problem: `duplicate userId ${parsed.data.userId} (first on line ${seen})`,
      });
      continue;
    }
    firstLine.set(parsed.data.userId, row.line);
    entries.push({ input: parsed.data, present, index: row.line });
  }
  const plan = await planUpsert(store, entries, (opts.clock ?? systemClock).now());
  for (const p of plan.problems) result.errors.push({ line: p.index, problem: p.problem });
  result.errors.sort((a, b) => a.line - b.line);
  if (plan.ops.length) await store.batch(plan.ops);
  return { ...result, imported: plan.imported, updated: plan.updated, unchanged: plan.unchanged };
}
