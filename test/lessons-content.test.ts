import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentError } from '../src/core/errors.ts';
import { loadLessons } from '../src/lessons/load.ts';
import { MAX_LESSON_CHARS } from '../src/lessons/schema.ts';
import { loadMilestoneTemplates } from '../src/milestones/schema.ts';

const FLOWS = join(import.meta.dirname, '..', 'flows');

async function flowsWith(folder: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lessons-'));
  await mkdir(join(dir, folder));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, folder, name), text);
  return dir;
}

const GOOD_BODY = `场景：月底盘点。
      步骤：
      1. 打开盘点。
      2. 扫码。
      3. 提交。`;

describe('lesson content (flows/lessons)', () => {
  it('has a track for every role the rollout needs, with the named lessons', async () => {
    const tracks = await loadLessons(FLOWS);
    const titles = (role: string) =>
      tracks.filter((t) => t.role === role).flatMap((t) => t.lessons.map((l) => l.title));
    expect(titles('仓库管理员')).toEqual(['扫码入库', '调拨', '盘点', '出库', '退货']);
    expect(titles('财务')).toEqual(['发票录入', '报销审核', '月末结账']);
    expect(titles('销售')).toEqual(['新建客户', '报价到订单', '客户去重']);
    expect(titles('客服')).toContain('工单处理');
    expect(titles('管理层')).toEqual(['各区域销售占比', '库存周转率趋势']);
    expect(titles('全员')).toEqual(['登录', '审批', '手机端']);
  });

  it('keeps every lesson short: 3–6 steps, a scenario, a check question with an explanation', async () => {
    for (const track of await loadLessons(FLOWS)) {
      for (const l of track.lessons) {
        const steps = l.body.split('\n').filter((x) => /^\s*\d+\.\s/.test(x)).length;
        expect(steps, `${track.id}/${l.id}`).toBeGreaterThanOrEqual(3);
        expect(steps, `${track.id}/${l.id}`).toBeLessThanOrEqual(6);
        expect(l.body).toMatch(/^场景：/m);
        expect(l.quiz?.explain, `${track.id}/${l.id}`).toBeTruthy();
        expect(l.quiz!.answer).toBeLessThanOrEqual(l.quiz!.options.length);
        expect(l.body.length).toBeLessThan(MAX_LESSON_CHARS);
      }
    }
  });

  it('names the file, line and lesson id of a bad lesson, for every problem at once', async () => {
    const dir = await flowsWith('lessons', {
      'a.yaml': `id: t1
role: 财务
schedule: "0 10 * * *"
lessons:
  - id: ok
    title: 好
    body: |
      ${GOOD_BODY}
  - id: bad-quiz
    title: 坏
    body: |
      ${GOOD_BODY}
    quiz:
      question: 哪个？
      options: [甲, 乙]
      answer: 3
      explain: 因为。
`,
      'b.yaml': `id: t2
role: 销售
schedule: "not a cron"
lessons:
  - id: no-steps
    title: 没有步骤
    body: 场景：只有一句话。
`,
    });
    const err = await loadLessons(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ContentError);
    expect(err.code).toBe('content_invalid');
    const msg = String(err.message);
    expect(msg).toMatch(/a\.yaml:\d+: bad-quiz: lessons\.1\.quiz\.answer: answer 3 but only 2 options/);
    expect(msg).toMatch(/b\.yaml:\d+: .*schedule: not a cron expression/);
    expect(msg).toMatch(/b\.yaml:\d+: no-steps: lessons\.0\.body: needs 3–6 numbered steps/);
  });

  it('rejects a track id used in two files and a lesson id used twice', async () => {
    const track = (lessonIds: string[]) => `id: same
role: 财务
schedule: "0 10 * * *"
lessons:
${lessonIds.map((id) => `  - id: ${id}\n    title: ${id}\n    body: |\n      ${GOOD_BODY.replace(/\n {6}/g, '\n      ')}`).join('\n')}
`;
    const dup = await flowsWith('lessons', { 'a.yaml': track(['x', 'x']) });
    await expect(loadLessons(dup)).rejects.toThrow(/duplicate lesson id x/);
    const twice = await flowsWith('lessons', { 'a.yaml': track(['x']), 'b.yaml': track(['y']) });
    await expect(loadLessons(twice)).rejects.toThrow(
      /b\.yaml: same: track id same is already used in .*a\.yaml/,
    );
  });

  it('treats a missing lessons folder as no content', async () => {
    expect(await loadLessons(await mkdtemp(join(tmpdir(), 'empty-')))).toEqual([]);
  });
});

describe('milestone templates (flows/milestones)', () => {
  it('has the default template with the guide’s phases in order, then a recurring quarterly review', async () => {
    const tpl = (await loadMilestoneTemplates(FLOWS)).find((t) => t.id === 'default')!;
    expect(tpl.milestones.map((m) => m.title)).toEqual([
      '需求诊断',
      '方案设计',
      '数据治理与迁移',
      '试点',
      '迭代优化',
      '压力测试',
      'UAT（最终用户验收）',
      '上线支持',
      '全量推广',
    ]);
    expect(tpl.recurring?.[0]).toMatchObject({ title: '季度复盘', after: 'full-rollout', everyMonths: 3 });
  });

  it('reports a recurring series that follows an unknown milestone', async () => {
    const dir = await flowsWith('milestones', {
      'x.yaml': `id: x
title: X
milestones:
  - {id: a, title: A, offset: 1}
recurring:
  - {id: r, title: R, after: nope, everyMonths: 3}
`,
    });
    await expect(loadMilestoneTemplates(dir)).rejects.toThrow(
      /x\.yaml:\d+: r: recurring\.0\.after: no milestone nope/,
    );
  });
});
