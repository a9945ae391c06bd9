import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentError } from '../src/core/errors.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import { nextIndex } from '../src/survey/path.ts';
import { QUESTION_TYPES, type Survey } from '../src/survey/schema.ts';

const FIX = 'test/fixtures/surveys';

async function problemsOf(dir: string): Promise<ContentError['problems']> {
  try {
    await loadSurveys(`${FIX}/${dir}`);
  } catch (e) {
    expect(e).toBeInstanceOf(ContentError);
    expect((e as ContentError).code).toBe('content_invalid');
    return (e as ContentError).problems;
  }
  throw new Error(`${dir} loaded without an error`);
}

/** Question ids asked along one path: every choice answered with `pick(questionId)` (first option by default). */
function pathOf(s: Survey, pick: Record<string, unknown>): string[] {
  const answers: Record<string, never> = {};
  const asked: string[] = [];
  for (let i = nextIndex(s, -1, answers); i >= 0; i = nextIndex(s, i, answers)) {
    const q = s.questions[i];
    asked.push(q.id);
    (answers as Record<string, unknown>)[q.id] = pick[q.id] ?? (q.options ? q.options[0].value : 1);
  }
  return asked;
}

describe('needs-diagnosis content', () => {
  it('loads, uses all seven question types, and asks about 12 questions per enterprise type', async () => {
    const [s] = await loadSurveys('flows');
    expect(s.id).toBe('needs-diagnosis');
    expect(new Set(s.questions.map((q) => q.type))).toEqual(new Set(QUESTION_TYPES));
    for (const q of s.questions) {
      expect(q.text_en, q.id).toBeTruthy();
      for (const o of q.options ?? []) expect(o.label_en, `${q.id}.${o.value}`).toBeTruthy();
    }
    const m = pathOf(s, { company_type: 'manufacturing', inventory_tool: 'excel' });
    const t = pathOf(s, { company_type: 'trade', inventory_tool: 'excel' });
    const v = pathOf(s, { company_type: 'services' });
    expect(m).toEqual(expect.arrayContaining(['m_scheduling', 'inventory_lag_days', 'm_turnover']));
    expect(t).toEqual(expect.arrayContaining(['t_response_days', 't_repurchase']));
    expect(v).toEqual(expect.arrayContaining(['s_delivery_days', 's_performance']));
    expect(v).not.toContain('inventory_tool');
    for (const path of [m, t, v]) {
      expect(path.length).toBeGreaterThanOrEqual(11);
      expect(path.length).toBeLessThanOrEqual(14);
      expect(path).toEqual(
        expect.arrayContaining([
          'company_type',
          'staff_count',
          'department',
          'tools',
          'dup_customers',
          'amount_check',
          'budget',
          'cloud_ready',
        ]),
      );
    }
  });

  it('a FLOWS_DIR without a surveys folder is valid and has no surveys', async () => {
    expect(await loadSurveys(`${FIX}/does-not-exist`)).toEqual([]);
  });

  it('loads several files in name order', async () => {
    expect((await loadSurveys(`${FIX}/two`)).map((s) => s.id)).toEqual(['alpha', 'beta']);
  });
});

describe('content errors name the file, the line, the question id and the problem', () => {
  it('when naming a later question', async () => {
    const [p] = await problemsOf('bad-when-later');
    expect(p.file).toBe(`${FIX}/bad-when-later/surveys/later.yaml`);
    expect(p.entry).toBe('first');
    expect(p.line).toBe(7);
    expect(p.problem).toMatch(/'second', which is not an earlier question/);
  });

  it('when naming a value the question cannot have', async () => {
    const [p] = await problemsOf('bad-when-value');
    expect(p.entry).toBe('staff_count');
    expect(p.problem).toMatch(/no answer "farming".*manufacturing, trade/);
    expect(p.line).toBe(13);
  });

  it('duplicate question ids', async () => {
    const [p] = await problemsOf('bad-dup-id');
    expect(p).toMatchObject({ entry: 'same', line: 6 });
    expect(p.problem).toMatch(/duplicate question id 'same'/);
  });

  it('future on a question that is not a date', async () => {
    const ps = await problemsOf('bad-future');
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ entry: 'staff', line: 5 });
    expect(ps[0].problem).toMatch(/future only applies to date questions/);
  });

  it('choice questions without options', async () => {
    const ps = await problemsOf('bad-no-options');
    expect(ps.map((p) => p.entry)).toEqual(['pick_one', 'pick_many']);
    for (const p of ps) expect(p.problem).toMatch(/needs options/);
  });

  it('diagnosis rules naming unknown questions, bad operators, unknown placeholders, no fallback', async () => {
    const ps = await problemsOf('bad-diagnosis');
    const text = ps.map((p) => `${p.line}:${p.entry}: ${p.problem}`).join('\n');
    expect(text).toMatch(/lagging: .*'lag_days', which does not exist/);
    expect(text).toMatch(/odd: .*'kind' is a single question: gte/);
    expect(text).toMatch(/odd: .*\{nope\}, which is not a question id/);
    expect(text).toMatch(/bundles: the last rule must have no `when`/);
    expect(new ContentError(ps).message).toContain(`${FIX}/bad-diagnosis/surveys/diag.yaml:`);
  });

  it('two files with the same survey id', async () => {
    const [p] = await problemsOf('bad-same-survey');
    expect(p.file).toMatch(/two\.yaml$/);
    expect(p.problem).toMatch(/survey id 'twin' is also used by .*one\.yaml/);
  });

  it('YAML syntax errors', async () => {
    // Written at test time: a broken .yaml kept in the repo would fail the repo-wide lint.
    const dir = await mkdtemp(join(tmpdir(), 'survey-syntax-'));
    try {
      await mkdir(join(dir, 'surveys'));
      await writeFile(
        join(dir, 'surveys', 'broken.yaml'),
        'id: broken\ntitle: 坏的\nquestions:\n  - id: q\n    type: yesno\n     text: 缩进错了\n',
      );
      const err = await loadSurveys(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ContentError);
      const [p] = (err as ContentError).problems;
      expect(p.file).toMatch(/broken\.yaml$/);
      expect(p.line).toBe(5);
      expect(p.problem).toMatch(/YAML syntax/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
