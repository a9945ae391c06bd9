import { afterEach, describe, expect, it } from 'vitest';
import { type Feature, handled, pass } from '../src/core/feature.ts';
import { createRosterFeature } from '../src/roster/feature.ts';
import { getRosterUser } from '../src/roster/store.ts';
import { MemoryStore } from '../storage/memory.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

/** Stands in for the FAQ: answers every text, so we can see the user's request is never blocked. */
const echo: Feature = {
  name: 'echo',
  async handle(stage, input) {
    if (stage === 'message' && input.kind === 'text') return handled({ text: `答：${input.text}` });
    return pass;
  },
};

const ROLES = ['仓库管理员', '财务', '销售'];
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('roster self-service role pick', () => {
  it('asks a role-less user once, without blocking their question; a click records the role', async () => {
    h = await createHarness({ features: [createRosterFeature({ roles: ROLES }), echo] });
    expect(await h.say('u1', '扫码后库存没变')).toEqual([{ text: '答：扫码后库存没变' }]);
    const pushed = await h.pushed('u1');
    expect(pushed).toHaveLength(1);
    expect(pushed[0].text).toMatch(/请选择您的岗位角色/);
    expect(pushed[0].buttons?.map((b) => b.value)).toEqual([
      'roster:role:仓库管理员',
      'roster:role:财务',
      'roster:role:销售',
    ]);

    expect(await h.say('u1', '怎么盘点')).toEqual([{ text: '答：怎么盘点' }]);
    expect(await h.pushed('u1')).toHaveLength(1); // asked once

    const confirm = await h.click('u1', 'roster:role:财务');
    expect(confirm[0].text).toMatch(/已记录您的角色：财务/);
    expect(await getRosterUser(h.store, 'dev:u1')).toMatchObject({ userId: 'dev:u1', roles: ['财务'] });
    expect(await h.say('u1', '你好')).toEqual([{ text: '答：你好' }]);
    expect(await h.pushed('u1')).toHaveLength(1);
  });

  it('a typed role name counts after the question; an unknown role button re-offers the list', async () => {
    h = await createHarness({ features: [createRosterFeature({ roles: ROLES }), echo] });
    await h.say('u2', '在吗');
    expect(await h.say('u2', '销售')).toEqual([{ text: expect.stringMatching(/已记录您的角色：销售/) }]);
    expect((await getRosterUser(h.store, 'dev:u2'))?.roles).toEqual(['销售']);
    const r = await h.click('u2', 'roster:role:厨师');
    expect(r[0].text).toMatch(/没有「厨师」这个角色/);
    expect(r[0].buttons).toHaveLength(3);
  });

  it('users with a role are never asked; the dev chat `role` is recorded', async () => {
    const store = new MemoryStore();
    await store.put('roster', 'dev:u3', { userId: 'dev:u3', name: '张三', roles: ['财务'], updatedAt: 0 });
    h = await createHarness({ store, features: [createRosterFeature({ roles: ROLES }), echo] });
    await h.say('u3', '你好');
    expect(await h.pushed('u3')).toEqual([]);

    expect(await h.say('u4', '你好', { role: '仓库管理员' })).toEqual([{ text: '答：你好' }]);
    expect(await getRosterUser(h.store, 'dev:u4')).toMatchObject({ name: 'u4', roles: ['仓库管理员'] });
    expect(await h.pushed('u4')).toEqual([]);
    await h.say('u3', '你好', { role: '销售' });
    expect(await getRosterUser(h.store, 'dev:u3')).toMatchObject({ name: '张三', roles: ['销售'] });
  });

  it('asks in English for an English user, and not at all when there are no roles', async () => {
    h = await createHarness({ features: [createRosterFeature({ roles: () => [] }), echo] });
    await h.say('u5', 'hi', { locale: 'en' });
    expect(await h.pushed('u5')).toEqual([]);
    await h.close();
    h = await createHarness({ features: [createRosterFeature({ roles: ROLES }), echo] });
    await h.say('u6', 'hi', { locale: 'en' });
    expect((await h.pushed('u6'))[0].text).toMatch(/please pick your role/);
  });

  it('a number typed after the role question still answers the reply before it (FAQ 有用/没用)', async () => {
    // Stands in for the FAQ: an answer with 有用/没用 buttons, and their handling.
    const faq: Feature = {
      name: 'faq',
      async handle(stage, input) {
        if (stage === 'action' && input.kind === 'action' && input.value === 'faq:no')
          return handled({ text: '收到：没用' });
        if (stage === 'message' && input.kind === 'text')
          return handled({
            text: `答：${input.text}`,
            buttons: [
              { label: '有用', value: 'faq:yes' },
              { label: '没用', value: 'faq:no' },
            ],
          });
        return pass;
      },
    };
    // Time moves as it does for real: the push is sent (and its buttons offered) after the reply.
    let t = Date.parse('2026-03-02T01:00:00Z');
    const ticking = { now: () => (t += 1) };
    h = await createHarness({ clock: ticking, features: [createRosterFeature({ roles: ROLES }), faq] });
    await h.say('u7', '扫码后库存没变');
    expect((await h.pushed('u7'))[0].text).toMatch(/请选择您的岗位角色/);
    expect(await h.say('u7', '2')).toEqual([{ text: '收到：没用' }]);
    expect((await getRosterUser(h.store, 'dev:u7'))?.roles ?? []).toEqual([]);
    // The role is still picked by tapping or by typing its name.
    expect((await h.say('u7', '财务'))[0].text).toMatch(/已记录您的角色：财务/);
  });
});
