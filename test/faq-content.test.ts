import { EventEmitter } from 'node:events';
import type { FSWatcher } from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../src/core/adapter.ts';
import { ContentError } from '../src/core/errors.ts';
import { createFaqIndex, type FaqIndex } from '../src/faq/faq-index.ts';
import { loadFaq, loadFaqFiles } from '../src/faq/load.ts';
import { createFaqReloader } from '../src/faq/reload.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faq-content-'));
  await mkdir(join(dir, 'faq'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});
const write = (name: string, text: string) => writeFile(join(dir, 'faq', name), text);
const entry = (id: string, q = '问题') => `  - id: ${id}\n    questions: [${q}]\n    answer: 答案 ${id}\n`;
const problems = async (p: Promise<unknown>) => {
  const e = await p.catch((x) => x);
  expect(e).toBeInstanceOf(ContentError);
  expect((e as ContentError).code).toBe('content_invalid');
  return (e as ContentError).problems;
};

describe('shipped content', () => {
  it('flows/faq has 40+ entries with 2–4 questions, symptoms and an English answer, plus thesaurus and topics', async () => {
    const c = await loadFaq('flows');
    expect(c.entries.length).toBeGreaterThanOrEqual(40);
    for (const e of c.entries) {
      expect(e.questions.length, e.id).toBeGreaterThanOrEqual(2);
      expect(e.questions.length, e.id).toBeLessThanOrEqual(4);
      expect(e.symptoms?.length, e.id).toBeGreaterThan(0);
      expect(e.answer_en, e.id).toBeTruthy();
      expect(e.answer, e.id).toMatch(/1\./); // step by step
    }
    const tags = new Set(c.entries.flatMap((e) => e.tags ?? []));
    for (const t of ['账号', '打印', '仓库', '销售', '财务', '审批', '移动端', '权限', '报表'])
      expect(tags).toContain(t);
    expect(c.synonyms.length).toBeGreaterThan(50);
    expect(c.synonyms).toContainEqual(expect.arrayContaining(['密码', '口令']));
    expect(c.outOfScope.map((t) => t.topic)).toEqual(
      expect.arrayContaining(['printer-hardware', 'network', 'payroll-hr']),
    );
  });

  // The eval set lives in ../shared (beside the repo in CI and on developer machines).
  it.skipIf(!existsSync('../shared/eval/faq-dev/kb.yaml'))(
    'loads the eval knowledge base as-is',
    async () => {
      const c = await loadFaqFiles(['../shared/eval/faq-dev/kb.yaml']);
      expect(c.entries).toHaveLength(30);
      expect(c.entries[0].answer).toMatch(/^〔ID:forgot-password-self-reset〕/);
    },
  );

  it('a missing faq folder is valid and empty', async () => {
    const c = await loadFaq(join(dir, 'nowhere'));
    expect(c.entries).toEqual([]);
  });
});

describe('content errors', () => {
  it('names both files for an id defined twice', async () => {
    await write('a.yaml', `entries:\n${entry('dup')}`);
    await write('b.yaml', `entries:\n${entry('dup')}`);
    const [p] = await problems(loadFaq(dir));
    expect(p.file).toContain('b.yaml');
    expect(p.entry).toBe('dup');
    expect(p.problem).toContain('a.yaml');
  });

  it('names file, line and entry for a schema problem', async () => {
    await write('a.yaml', `entries:\n${entry('ok')}  - id: broken\n    questions: []\n    answer: x\n`);
    const [p] = await problems(loadFaq(dir));
    expect(p).toMatchObject({ entry: 'broken', line: 6 });
    expect(p.file).toContain('a.yaml');
    expect(p.problem).toContain('at least one question');
  });

  it('rejects a bad id, an unknown key, a bad pattern and a one-word synonym group', async () => {
    await write('a.yaml', `entries:\n${entry('Bad Id!')}`);
    await write('b.yaml', 'entrys: []\n');
    await write('c.yaml', "out_of_scope:\n  - topic: x\n    patterns: ['([']\n");
    await write('d.yaml', 'synonyms:\n  - [密码]\n');
    const ps = await problems(loadFaq(dir));
    const text = ps.map((p) => `${p.file}: ${p.problem}`).join('\n');
    expect(text).toMatch(/a\.yaml: .*id must be/);
    expect(text).toMatch(/b\.yaml: .*entrys/);
    expect(text).toMatch(/c\.yaml: .*not a valid regular expression/);
    expect(text).toMatch(/d\.yaml: .*at least two words/);
  });

  it('reports YAML syntax errors with their line', async () => {
    await write('a.yaml', 'entries:\n  - id: x\n    questions: [a\n');
    const [p] = await problems(loadFaq(dir));
    expect(p.problem).toContain('YAML syntax');
  });
});

describe('reloading on content change', () => {
  const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }) satisfies Logger;

  it('rebuilds on a good edit, keeps the old index and logs on a bad one', async () => {
    await write('a.yaml', `entries:\n${entry('one', '调拨单怎么做')}`);
    let current: FaqIndex = createFaqIndex(await loadFaq(dir));
    const log = logger();
    const r = createFaqReloader(dir, (i) => (current = i), log, { watch: fakeWatch().watch });
    await write('a.yaml', `entries:\n${entry('one', '调拨单怎么做')}${entry('two', '盘点怎么做')}`);
    expect(await r.reload()).toBeDefined();
    expect(current.search('盘点怎么做').hits[0].entry.id).toBe('two');

    await write('a.yaml', 'entries:\n  - id: two\n    questions: []\n');
    const before = current;
    expect(await r.reload()).toBeUndefined();
    expect(current).toBe(before);
    expect(log.error).toHaveBeenCalledWith(
      'faq content invalid; keeping the previous index',
      expect.anything(),
    );
    r.stop();
  });

  it('debounces a burst of file events into one rebuild', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await write('a.yaml', `entries:\n${entry('one')}`);
    const fw = fakeWatch();
    const reloaded: FaqIndex[] = [];
    let done!: () => void;
    const once = new Promise<void>((res) => (done = res));
    const r = createFaqReloader(
      dir,
      (i) => {
        reloaded.push(i);
        done();
      },
      logger(),
      {
        debounceMs: 300,
        watch: fw.watch,
      },
    );
    expect(fw.paths).toEqual([join(dir, 'faq')]);
    for (let i = 0; i < 5; i++) {
      fw.emit('change', 'a.yaml');
      vi.advanceTimersByTime(100);
    }
    expect(reloaded).toHaveLength(0);
    vi.advanceTimersByTime(300);
    await once;
    expect(reloaded).toHaveLength(1);
    r.stop();
    fw.emit('change', 'a.yaml');
    vi.advanceTimersByTime(1000);
    expect(reloaded).toHaveLength(1);
  });

  it('picks up a real file change through fs.watch', async () => {
    await write('a.yaml', `entries:\n${entry('one')}`);
    let done!: (i: FaqIndex) => void;
    const next = new Promise<FaqIndex>((res) => (done = res));
    const r = createFaqReloader(dir, (i) => done(i), logger(), { debounceMs: 0 });
    await write('b.yaml', `entries:\n${entry('two', '报销流程')}`);
    const index = await next;
    expect(index.get('two')).toBeDefined();
    r.stop();
  });
});

/** A stand-in for fs.watch whose events the test fires. */
function fakeWatch() {
  const listeners: Array<(event: string, name: string | null) => void> = [];
  const paths: string[] = [];
  return {
    paths,
    watch: (path: string, listener: (event: string, name: string | null) => void) => {
      paths.push(path);
      listeners.push(listener);
      return Object.assign(new EventEmitter(), { close: () => listeners.splice(0) }) as unknown as FSWatcher;
    },
    emit: (event: string, name: string) => {
      for (const l of listeners) l(event, name);
    },
  };
}
