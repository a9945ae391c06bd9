import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/types.ts';
import { importRoster } from '../src/roster/import.ts';
import { getRosterUser, listRoster } from '../src/roster/store.ts';
import { MemoryStore } from '../storage/memory.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roster-'));
});

const file = async (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
};

async function xlsx(name: string, rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('花名册');
  for (const r of rows) ws.addRow(r);
  const p = join(dir, name);
  await wb.xlsx.writeFile(p);
  return p;
}

describe('roster import', () => {
  it('CSV: imports good rows, reports each bad row with its line, and re-import updates without duplicates', async () => {
    const clock = new ManualClock(Date.parse('2025-06-03T01:00:00Z'));
    const store = new MemoryStore(clock);
    const csv = [
      'userId,name,department,roles,manager,timezone',
      'wecom:zhangsan,张三,仓储部,仓库管理员;全员,wecom:boss,',
      'wecom:lisi,李四,财务部,财务、全员,wecom:boss,Asia/Shanghai',
      'zhaoliu,赵六,销售部,销售,,', // line 4: bare id
      'wecom:wangwu,王五,销售部,销售,,Mars/Base', // line 5: bad zone
      '',
      'wecom:boss,老板,管理层,管理层,,America/Los_Angeles',
      'wecom:zhangsan,张三丰,仓储部,仓库管理员,,', // line 8: duplicate in file
      'wecom:noname,,仓储部,仓库管理员,,', // line 9: no name for a new user
    ].join('\n');
    const r1 = await importRoster(store, await file('roster.csv', `\ufeff${csv}\n`), { clock });
    expect(r1).toMatchObject({ imported: 3, updated: 0, unchanged: 0 });
    expect(r1.errors.map((e) => e.line)).toEqual([4, 5, 8, 9]);
    expect(r1.errors[0].problem).toMatch(/userId: must be a platform-prefixed/);
    expect(r1.errors[1].problem).toMatch(/timezone: not an IANA time zone/);
    expect(r1.errors[2].problem).toMatch(/duplicate userId wecom:zhangsan \(first on line 2\)/);
    expect(r1.errors[3].problem).toMatch(/name: required/);
    expect(await getRosterUser(store, 'wecom:zhangsan')).toEqual({
      userId: 'wecom:zhangsan',
      name: '张三',
      department: '仓储部',
      roles: ['仓库管理员', '全员'],
      manager: 'wecom:boss',
      updatedAt: Date.parse('2025-06-03T01:00:00Z'),
    });
    expect((await getRosterUser(store, 'wecom:lisi'))?.roles).toEqual(['财务', '全员']);
    expect((await listRoster(store, { role: '全员' })).map((u) => u.userId)).toEqual([
      'wecom:lisi',
      'wecom:zhangsan',
    ]);

    // Re-import a corrected file (bare ids prefixed by option): updates, never duplicates.
    clock.advance(3600_000);
    const csv2 = [
      'userId,name,department,roles',
      'zhangsan,张三,仓储部,仓库管理员', // roles changed; manager column absent → kept
      'lisi,李四,财务部,财务、全员', // unchanged
      'zhaoliu,赵六,销售部,销售', // new
    ].join('\r\n');
    const r2 = await importRoster(store, await file('roster2.csv', csv2), {
      clock,
      defaultPlatform: 'wecom',
    });
    expect(r2).toEqual({ imported: 1, updated: 1, unchanged: 1, errors: [], ignoredColumns: [] });
    expect(await listRoster(store)).toHaveLength(4);
    expect(await getRosterUser(store, 'wecom:zhangsan')).toMatchObject({
      roles: ['仓库管理员'],
      manager: 'wecom:boss',
      updatedAt: clock.now(),
    });
  });

  it('CSV saved by Excel on Chinese Windows (GB18030, Chinese headers) imports', async () => {
    const store = new MemoryStore();
    // '账号,姓名,部门,角色,上级\r\ndev:u1,陈七,客服部,客服,dev:u9\r\n' in GB18030 (iconv -t GB18030)
    const gbk = Buffer.from(
      'd5cbbac52cd0d5c3fb2cb2bfc3c52cbdc7c9ab2cc9cfbcb60d0a6465763a75312cb3c2c6df2cbfcdb7feb2bf2cbfcdb7fe2c6465763a75390d0a',
      'hex',
    );
    expect(gbk.includes(Buffer.from('陈七'))).toBe(false); // really not UTF-8
    const r = await importRoster(store, await file('gbk.csv', gbk));
    expect(r).toMatchObject({ imported: 1, errors: [] });
    expect(await getRosterUser(store, 'dev:u1')).toMatchObject({
      name: '陈七',
      department: '客服部',
      roles: ['客服'],
      manager: 'dev:u9',
    });
  });

  it('XLSX with bad rows: line numbers are sheet rows; re-import updates', async () => {
    const clock = new ManualClock(Date.parse('2025-06-03T01:00:00Z'));
    const store = new MemoryStore(clock);
    const p = await xlsx('roster.xlsx', [
      ['用户ID', '姓名', '部门', '角色', '直属上级', '时区', '备注'],
      ['dingtalk:0011', '周八', '仓储部', '仓库管理员、全员', 'dingtalk:0099', 'Asia/Shanghai', ''],
      ['dingtalk:0012', '吴九', '财务部', '财务', 'not-a-key', '', ''],
      [],
      ['dingtalk:0013', '郑十', '销售部', '销售;全员', '', '', '新员工'],
      ['feishu:ou_1', 12345, '客服部', '客服', '', '', ''],
    ]);
    const r = await importRoster(store, p, { clock });
    expect(r.imported).toBe(3);
    expect(r.errors).toEqual([
      { line: 3, problem: expect.stringMatching(/^manager: must be a platform-prefixed/) },
    ]);
    expect(r.ignoredColumns).toEqual(['备注']);
    expect(await getRosterUser(store, 'dingtalk:0013')).toMatchObject({
      roles: ['销售', '全员'],
      department: '销售部',
    });
    expect((await getRosterUser(store, 'feishu:ou_1'))?.name).toBe('12345');

    const p2 = await xlsx('roster2.xlsx', [
      ['userId', 'name', 'department', 'roles'],
      ['dingtalk:0011', '周八', '仓储二部', '仓库管理员'],
      ['dingtalk:0012', '吴九', '财务部', '财务'],
    ]);
    const r2 = await importRoster(store, p2, { clock });
    expect(r2).toMatchObject({ imported: 1, updated: 1, unchanged: 0, errors: [] });
    expect(await listRoster(store)).toHaveLength(4);
    expect(await getRosterUser(store, 'dingtalk:0011')).toMatchObject({
      department: '仓储二部',
      roles: ['仓库管理员'],
      manager: 'dingtalk:0099',
      timezone: 'Asia/Shanghai',
    });
  });

  it('a header without userId/name is one error and imports nothing', async () => {
    const store = new MemoryStore();
    const r = await importRoster(store, await file('bad-header.csv', 'who,what\nwecom:a,b\n'));
    expect(r.imported).toBe(0);
    expect(r.errors).toEqual([{ line: 1, problem: expect.stringMatching(/lacks userId and name/) }]);
    expect(await listRoster(store)).toEqual([]);
  });
});
