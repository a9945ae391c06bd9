import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../adapters/dev/index.ts';
import type { Session } from '../src/core/feature.ts';
import type { Store } from '../src/core/store.ts';
import { ManualClock } from '../src/core/types.ts';
import { createSurveyFeature } from '../src/survey/feature.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import type { SurveyResponse } from '../src/survey/responses.ts';
import { LowdbStore } from '../storage/lowdb.ts';
import { MemoryStore } from '../storage/memory.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** A harness over the surveys of a fixture folder (`flows` for the real content). */
async function harness(
  dir = 'mini',
  opts: { store?: Store; clock?: ManualClock; projectLead?: string } = {},
) {
  const surveys = await loadSurveys(dir === 'flows' ? 'flows' : `test/fixtures/surveys/${dir}`);
  const h = await createHarness({
    features: [createSurveyFeature({ surveys, timezone: 'Asia/Shanghai', projectLead: opts.projectLead })],
    store: opts.store,
    clock: opts.clock,
  });
  open.push(h);
  const say = async (user: string, text: string): Promise<Reply> => {
    const r = await h.say(user, text);
    expect(r).toHaveLength(1);
    return r[0];
  };
  const click = async (user: string, value: string): Promise<Reply> => {
    const r = await h.click(user, value);
    expect(r).toHaveLength(1);
    return r[0];
  };
  const responses = async (user: string, survey = 'mini') =>
    (await h.store.list<SurveyResponse>('responses', { prefix: `${survey}/dev:${user}/` })).map(
      (e) => e.value,
    );
  const latest = async (user: string, survey = 'mini') => (await responses(user, survey)).at(-1)!;
  return { h, say, click, responses, latest };
}

describe('返回 / 跳过 / 取消 / 进度', () => {
  it('返回 goes to the previous asked question, shows its answer, and a changed branch drops the old answers', async () => {
    const { say, latest } = await harness();
    await say('u', '调研');
    let r = await say('u', '返回');
    expect(r.text).toMatch(/^这已经是第一题了。\n\(1\/7\) 您是哪一类？/);
    await say('u', '甲');
    r = await say('u', '1,2');
    expect(r.text).toMatch(/^\(3\/7\) 多少人？/);
    r = await say('u', '返回');
    expect(r.text).toMatch(/^\(2\/7\) 喜欢哪些颜色？/);
    expect(r.text).toContain('当前答案：红色、绿色');
    r = await say('u', '返回');
    expect(r.text).toContain('当前答案：甲类');
    r = await say('u', '乙类'); // the other branch: 颜色 is no longer asked
    expect(r.text).toMatch(/^\(2\/6\) 多少人？/);
    expect((await latest('u')).answers).toEqual({ kind: 'b' });
    await say('u', '5');
    r = await say('u', '返回'); // back to 多少人, skipping the unasked 颜色
    expect(r.text).toMatch(/^\(2\/6\) 多少人？/);
    expect(r.text).toContain('当前答案：5');
    r = await say('u', '返回');
    expect(r.text).toMatch(/^\(1\/6\) 您是哪一类？/);
  });

  it('跳过 skips an optional question and refuses a required one', async () => {
    const { say, latest } = await harness();
    await say('u', '调研');
    await say('u', '2');
    let r = await say('u', '跳过'); // 多少人 is optional
    expect(r.text).toMatch(/^\(3\/6\) 打几分？/);
    r = await say('u', '跳過'); // traditional alias; 打几分 is required
    expect(r.text).toMatch(/^这道题需要回答，不能跳过。\n\(3\/6\) 打几分？/);
    expect((await latest('u')).answers).toEqual({ kind: 'b' });
  });

  it('取消 keeps the answers; 调研 later resumes at the same question, saying so', async () => {
    const { h, say, latest } = await harness();
    await say('u', '调研');
    await say('u', '2');
    await say('u', '8');
    let r = await say('u', '取消');
    expect(r.text).toBe('好的，调研已暂停，已答的 2 题都保存好了。回复「调研」可从第 3 题继续。');
    expect(await latest('u')).toMatchObject({ status: 'cancelled', answers: { kind: 'b', size: 8 } });
    expect((await h.store.get<Session>('sessions', 'dev:u'))?.active).toBeUndefined();
    r = await say('u', '4'); // not an answer any more: the survey is paused
    expect(r.text).not.toContain('打几分');
    r = await say('u', '调研');
    expect(r.text).toMatch(/^欢迎回来，继续「小调研」，从第 3 题接着答。\n\(3\/6\) 打几分？/);
    expect((await latest('u')).status).toBe('in_progress');
    r = await say('u', '4');
    expect(r.text).toMatch(/^\(4\/6\) 同意吗？/);
  });

  it('进度 shows (position/total) and asks again', async () => {
    const { say } = await harness();
    await say('u', '调研');
    await say('u', '1');
    await say('u', '3');
    const r = await say('u', '进度');
    expect(r.text).toMatch(/^「小调研」进度：\(3\/7\)，已答 2 题。\n\(3\/7\) 多少人？/);
  });
});

describe('three wrong answers in a row', () => {
  it('offer help and pause, keeping the answers; a right answer in between resets the count', async () => {
    const { h, say, latest } = await harness();
    await say('u', '调研');
    await say('u', '2');
    await say('u', '很多');
    await say('u', '很多');
    let r = await say('u', '8'); // two wrong, then right
    expect(r.text).toMatch(/^\(3\/6\) 打几分？/);
    await say('u', '九');
    r = await say('u', '0');
    expect(r.text).toMatch(/^请回复 1–5 之间的数字/);
    r = await say('u', '好');
    expect(r.text).toBe(
      '看来这道题不太好回答，调研先暂停，您已答的内容都保存好了。需要帮助请回复「转人工」；准备好后回复「调研」从这里继续。',
    );
    expect(await latest('u')).toMatchObject({ status: 'cancelled', answers: { kind: 'b', size: 8 } });
    expect((await h.store.get<Session>('sessions', 'dev:u'))?.active).toBeUndefined();
    r = await say('u', '调研');
    expect(r.text).toMatch(/^欢迎回来.*\n\(3\/6\) 打几分？/);
    r = await say('u', '很好'); // the count starts again after resuming
    expect(r.text).toMatch(/^没看懂这个数字/);
  });
});

describe('restarts, stale buttons, retakes', () => {
  it('a restart mid-survey: the next answer is recorded for the question asked, with no welcome and no reset', async () => {
    const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
    const store = new MemoryStore(clock);
    const first = await harness('mini', { store, clock });
    await first.say('u', '调研');
    await first.say('u', '1');
    await first.say('u', '2,3');
    await first.h.close();

    const second = await harness('mini', { store, clock }); // new Bot, new feature, same store
    const r = await second.say('u', '42');
    expect(r.text).toMatch(/^\(4\/7\) 打几分？/);
    expect(r.text).not.toContain('您好');
    const [only] = await second.responses('u');
    expect(only.answers).toEqual({ kind: 'a', colors: ['green', 'blue'], size: 42 });
  });

  it('on the default lowdb store, across a close and reopen, the survey continues at the same question', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'survey-resume-'));
    try {
      const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
      const before = await LowdbStore.open({ dataDir, clock });
      const first = await harness('mini', { store: before, clock });
      await first.say('u', '调研');
      await first.say('u', '乙');
      await first.h.close();
      await before.close();

      const after = await LowdbStore.open({ dataDir, clock });
      const second = await harness('mini', { store: after, clock });
      const r = await second.say('u', '七');
      expect(r.text).toMatch(/^\(3\/6\) 打几分？/);
      expect((await second.latest('u')).answers).toEqual({ kind: 'b', size: 7 });
      await second.h.close();
      await after.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a duplicate or stale click for an answered question changes nothing', async () => {
    const { say, click, latest } = await harness();
    const q1 = await say('u', '调研');
    const clickA = q1.buttons!.find((b) => b.label === '甲类')!.value;
    expect(clickA).toBe('survey:a:kind:a');
    let r = await click('u', clickA);
    expect(r.text).toMatch(/^\(2\/7\) 喜欢哪些颜色？/);
    r = await click('u', clickA); // the same button again
    expect(r.text).toMatch(/^这道题已经答过了。当前的问题是：\n\(2\/7\) 喜欢哪些颜色？/);
    r = await click('u', 'survey:a:kind:b'); // another option of the answered question
    expect(r.text).toMatch(/^这道题已经答过了。/);
    r = await click('u', 'survey:a:colors'); // malformed
    expect(r.text).toMatch(/^这道题已经答过了。/);
    r = await click('u', 'survey:a:colors:purple'); // a value the current question does not have
    expect(r.text).toMatch(/^\(2\/7\) 喜欢哪些颜色？/);
    expect(r.text).toContain('可回复：「返回」上一题  「取消」暂停');
    expect((await latest('u')).answers).toEqual({ kind: 'a' });
    await say('u', '1');
    await say('u', '跳过');
    r = await click('u', 'survey:a:rating:5');
    expect(r.text).toMatch(/^\(5\/7\) 同意吗？/);
    r = await click('u', 'survey:a:agree:no');
    await say('u', '跳过');
    r = await say('u', '跳过');
    expect(r.text).toBe('调研完成，谢谢您！您的回答已保存。');
    r = await click('u', 'survey:a:agree:yes'); // after the end
    expect(r.text).toBe('这份调研已经结束或暂停了。回复「调研」可以继续或重新开始。');
    expect(await latest('u')).toMatchObject({
      status: 'completed',
      answers: { kind: 'a', colors: ['red'], rating: 5, agree: false },
    });
  });

  it('a completed survey can be taken again: a new response, the old one kept (even in the same millisecond)', async () => {
    const { say, responses } = await harness();
    for (const a of ['调研', '2', '跳过', '3', '否', '跳过', '跳过']) await say('u', a);
    let r = await say('u', '调研');
    expect(r.text).toMatch(/^您好！这是「小调研」调研/);
    for (const a of ['1', '1', '跳过', '5', '是', '3月5日']) await say('u', a);
    r = await say('u', '很好用');
    expect(r.text).toBe('调研完成，谢谢您！您的回答已保存。');
    const all = await responses('u');
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ status: 'completed', answers: { kind: 'b', rating: 3, agree: false } });
    expect(all[1]).toMatchObject({
      status: 'completed',
      answers: { kind: 'a', colors: ['red'], rating: 5, agree: true, day: '2026-03-05', note: '很好用' },
    });
    expect(all[0].id).toMatch(/^mini\/dev:u\/001772413200000$/);
    expect(all[1].id).toMatch(/^mini\/dev:u\/001772413200001$/);
  });
});

describe('several surveys', () => {
  it('调研 lists them with buttons; a number, a button or 调研 <id> starts one; an unfinished one is resumed', async () => {
    const { say, click, latest } = await harness('two');
    let r = await say('u', '调研');
    expect(r.text).toBe('目前有这些调研，回复数字或点击选择：\n1. 甲调研\n2. 乙调研');
    expect(r.buttons).toEqual([
      { label: '甲调研', value: 'survey:s:alpha' },
      { label: '乙调研', value: 'survey:s:beta' },
    ]);
    r = await say('u', '2');
    expect(r.text).toMatch(/「乙调研」.*\n\(1\/1\) 几个？/s);
    r = await say('u', '取消');
    r = await say('u', '调研 alpha');
    expect(r.text).toMatch(/「甲调研」.*\n\(1\/2\) 第一题？/s);
    r = await say('u', '是');
    r = await say('u', '调研'); // mid-survey: resume where we are
    expect(r.text).toMatch(/^欢迎回来，继续「甲调研」，从第 2 题接着答。/);
    r = await say('u', '调研 beta'); // switch to the paused one
    expect(r.text).toMatch(/^欢迎回来，继续「乙调研」，从第 1 题接着答。/);
    r = await say('u', '3');
    expect(r.text).toBe('调研完成，谢谢您！您的回答已保存。');
    r = await say('u', '调研'); // alpha is still unfinished: resume it rather than list
    expect(r.text).toMatch(/^欢迎回来，继续「甲调研」，从第 2 题接着答。/);
    expect((await latest('u', 'beta')).answers).toEqual({ q1: 3 });
    r = await click('u', 'survey:s:alpha');
    expect(r.text).toMatch(/^欢迎回来/);
    r = await say('u', '调研 gamma');
    expect(r.text).toBe('没有找到调研「gamma」。现有：alpha, beta');
  });

  it('no survey content: 调研 says so, help has no survey line', async () => {
    const { say } = await harness('does-not-exist');
    expect((await say('u', '调研')).text).toBe('目前没有可参加的调研。');
    expect((await say('u', '帮助')).text).not.toContain('调研');
  });
});

describe('sharing and load', () => {
  it('the diagnosis can be sent to the project lead once', async () => {
    const { h, say, click } = await harness('flows', { projectLead: 'dev:lead' });
    for (const a of ['调研', '1', '30', '跳过', '2', '1', '2', '3', '2', '否', '1', '3', '是', '跳过'])
      await say('u', a);
    const r = await say('u', '跳过');
    expect(r.buttons?.map((b) => b.label)).toEqual(['查看完整报告', '发给项目负责人']);
    const share = r.buttons![1].value;
    expect((await click('u', share)).text).toBe('已发给项目负责人。');
    await click('u', share);
    const pushed = await h.pushed('lead');
    expect(pushed).toHaveLength(1);
    expect(pushed[0].text).toMatch(
      /^dev:u 完成了「信息化需求诊断」调研，诊断如下：\n主要痛点：库存数据滞后 3 天/,
    );
  });

  it('the project lead may be a group chat (PROJECT_GROUP form); a bad value stops start-up', async () => {
    const { h, say, click } = await harness('flows', { projectLead: 'dev:group:pmo' });
    for (const a of ['调研', '2', '8', '跳过', '3', '2', '3', '1', '4', '否', '2', '2', '否', '跳过'])
      await say('u', a);
    const r = await say('u', '跳过');
    expect(r.text).toContain('推荐系统组合：CRM + 电商 ERP + 会员系统');
    expect((await click('u', r.buttons![1].value)).text).toBe('已发给项目负责人。');
    await h.outbox.idle();
    const queued = await h.store.list('dev-outbox');
    expect(queued.map((e) => e.key).join()).toContain('pmo');
    const surveys = await loadSurveys('flows');
    expect(() => createSurveyFeature({ surveys, timezone: 'Asia/Shanghai', projectLead: 'nobody' })).toThrow(
      /PROJECT_GROUP/,
    );
  });

  it('50 users answering at once lose nothing', async () => {
    const { h, say, responses } = await harness();
    const users = Array.from({ length: 50 }, (_, i) => `p${i}`);
    await Promise.all(
      users.map(async (u, i) => {
        const kind = i % 2 ? '乙' : '甲';
        const script = [
          '调研',
          kind,
          ...(i % 2 ? [] : ['1,3']),
          String(i + 1),
          String((i % 5) + 1),
          i % 3 ? '是' : '否',
          '跳过',
          `第${i}号`,
        ];
        for (const text of script) await say(u, text);
      }),
    );
    for (const [i, u] of users.entries()) {
      const [r] = await responses(u);
      expect(r.status, u).toBe('completed');
      expect(r.answers).toEqual({
        kind: i % 2 ? 'b' : 'a',
        ...(i % 2 ? {} : { colors: ['red', 'blue'] }),
        size: i + 1,
        rating: (i % 5) + 1,
        agree: i % 3 !== 0,
        note: `第${i}号`,
      });
    }
    expect(await h.store.list('responses')).toHaveLength(50);
  });
});
