import { beforeAll, describe, expect, it } from 'vitest';
import { type Answers, evalCondition, whenHolds } from '../src/survey/condition.ts';
import { diagnose } from '../src/survey/diagnosis.ts';
import { loadSurveys } from '../src/survey/loader.ts';
import { renderDiagnosis } from '../src/survey/render.ts';
import type { Survey } from '../src/survey/schema.ts';

let survey: Survey;
beforeAll(async () => {
  [survey] = await loadSurveys('flows');
});

const common: Answers = {
  staff_count: 30,
  tools: ['excel'],
  dup_customers: false,
  amount_check: 'system',
  budget: '50k_200k',
  cloud_ready: true,
};

/** The guide's worked example: a garment factory, inventory in Excel, 3 days behind. */
const garmentFactory: Answers = {
  ...common,
  company_type: 'manufacturing',
  m_scheduling: 'system',
  inventory_tool: 'excel',
  inventory_lag_days: 3,
  m_turnover: 3,
};

describe('diagnosis from the YAML rules', () => {
  it("the guide's worked example: Excel inventory 3 days behind → 进销存 + 生产排程 first", () => {
    const d = diagnose(survey, garmentFactory)!;
    expect(d.firstModule.zh).toBe('进销存 + 生产排程模块');
    expect(d.painPoints[0].zh).toBe('库存数据滞后 3 天，采购与排产脱节');
    expect(d.roadmap[0].items.map((i) => i.zh)).toContain('进销存');
    const text = renderDiagnosis(d, 'zh-CN');
    expect(text).toContain('主要痛点：库存数据滞后 3 天，采购与排产脱节');
    expect(text).toContain('建议优先上线：进销存 + 生产排程模块');
    expect(text).toMatch(
      /路线图：基础层（0–1 年）进销存.* → 整合层（2–3 年）ERP 与 CRM 打通.* → 智能层（3 年\+）销量预测自动调库存/,
    );
  });

  it('holds even on a tight budget, and fills the lag in English too', () => {
    const d = diagnose(survey, { ...garmentFactory, budget: 'under_50k', inventory_lag_days: 5 })!;
    expect(d.firstModule.id).toBe('inventory_and_scheduling');
    expect(d.painPoints[0].en).toBe(
      'stock records lag reality by 5 days, so purchasing and production planning drift apart',
    );
  });

  it('without the lag the same factory does not get the inventory-first module', () => {
    const d = diagnose(survey, { ...garmentFactory, inventory_lag_days: 0 })!;
    expect(d.firstModule.id).not.toBe('inventory_and_scheduling');
    expect(d.painPoints.map((p) => p.id)).not.toContain('inventory_lag_manufacturing');
  });

  it.each([
    ['manufacturing', 'ERP + MES（生产执行）+ SRM（供应商管理）'],
    ['trade', 'CRM + 电商 ERP + 会员系统'],
    ['services', 'CRM + 会员系统 + 电商 ERP（有线上销售时）'],
  ])('a %s company gets its bundle (DOMAIN.md table)', (type, bundle) => {
    const d = diagnose(survey, { ...common, company_type: type })!;
    expect(d.bundle).toMatchObject({ id: type, zh: bundle });
  });

  it('trade: lagging stock first, then low repurchase', () => {
    const trade = {
      ...common,
      company_type: 'trade',
      inventory_tool: 'paper',
      inventory_lag_days: 4,
      t_response_days: 5,
      t_repurchase: 'low',
    };
    const d = diagnose(survey, trade)!;
    expect(d.firstModule.id).toBe('inventory_trade');
    expect(d.painPoints.slice(0, 3).map((p) => p.id)).toEqual([
      'inventory_lag_trade',
      'slow_supply_chain',
      'low_repurchase',
    ]);
    expect(d.painPoints[1].zh).toBe('供应链响应慢，下单到发货约 5 天');
    const { inventory_lag_days: _lag, ...noLag } = trade;
    const realtime = diagnose(survey, { ...noLag, inventory_tool: 'erp' })!;
    expect(realtime.firstModule.id).toBe('crm_trade');
  });

  it('services: delays and subjective performance → project management first', () => {
    const d = diagnose(survey, {
      ...common,
      company_type: 'services',
      s_delivery_days: 90,
      s_delay: 5,
      s_performance: 'subjective',
    })!;
    expect(d.firstModule.zh).toBe('项目管理 + 绩效统计模块');
    expect(d.painPoints[0].zh).toBe('项目经常延期，交付周期（约 90 天）难以控制');
    expect(d.roadmap[0].items.map((i) => i.zh)).toContain('项目管理');
    expect(d.roadmap[0].items.map((i) => i.zh)).not.toContain('进销存');
  });

  it('roadmap has the three layers in order, items only when their condition holds', () => {
    const d = diagnose(survey, { ...common, company_type: 'services', tools: ['finance', 'oa'] })!;
    expect(d.roadmap.map((l) => l.title.zh)).toEqual([
      '基础层（0–1 年）',
      '整合层（2–3 年）',
      '智能层（3 年+）',
    ]);
    const foundation = d.roadmap[0].items.map((i) => i.zh);
    expect(foundation).not.toContain('财务软件');
    expect(foundation).not.toContain('OA 审批（钉钉 / 企业微信）');
  });

  it('the fallback first module is finance software', () => {
    const d = diagnose(survey, { ...common, company_type: 'services', s_delay: 1, s_performance: 'system' })!;
    expect(d.firstModule.id).toBe('finance_default');
  });

  it('advice follows cloud readiness and data quality answers', () => {
    const d = diagnose(survey, {
      ...garmentFactory,
      cloud_ready: false,
      dup_customers: true,
      go_live: '2026-06-01',
    })!;
    expect(d.advice.map((a) => a.id)).toEqual(['cloud_no', 'clean_data', 'pilot']);
    expect(d.advice[2].zh).toContain('2026-06-01');
  });
});

describe('conditions are data', () => {
  const a: Answers = { n: 3, kind: 'm', tools: ['excel', 'paper'], ok: true };
  it.each([
    [{ question: 'n', gte: 3 }, true],
    [{ question: 'n', gt: 3 }, false],
    [{ question: 'n', lte: 3, gte: 1 }, true],
    [{ question: 'n', lt: 3 }, false],
    [{ question: 'kind', in: ['m', 't'] }, true],
    [{ question: 'kind', not_in: ['m'] }, false],
    [{ question: 'tools', in: ['excel'] }, true],
    [{ question: 'tools', not_in: ['finance', 'erp'] }, true],
    [{ question: 'tools', not_in: ['paper'] }, false],
    [{ question: 'ok', in: [true] }, true],
    [{ question: 'ok', in: [false] }, false],
    [{ question: 'missing', in: ['x'] }, false],
    [{ question: 'missing', not_in: ['x'] }, false],
    [{ question: 'missing', answered: false }, true],
    [{ question: 'n', answered: true }, true],
    [
      {
        all: [
          { question: 'n', gte: 2 },
          { question: 'kind', in: ['m'] },
        ],
      },
      true,
    ],
    [
      {
        all: [
          { question: 'n', gte: 2 },
          { question: 'kind', in: ['t'] },
        ],
      },
      false,
    ],
    [
      {
        any: [
          { question: 'n', gte: 9 },
          { question: 'kind', in: ['m'] },
        ],
      },
      true,
    ],
    [{ not: { question: 'kind', in: ['m'] } }, false],
  ])('%j → %s', (c, expected) => {
    expect(evalCondition(c, a)).toBe(expected);
  });

  it('a `when` holds only if every listed answer matches', () => {
    expect(whenHolds({ kind: ['m'], ok: [true] }, a)).toBe(true);
    expect(whenHolds({ kind: ['m'], ok: [false] }, a)).toBe(false);
    expect(whenHolds({ missing: ['x'] }, a)).toBe(false);
    expect(whenHolds(undefined, a)).toBe(true);
  });

  it('a string is never run as code', () => {
    const evil = { question: 'kind', in: ['m"); process.exit(1); ("'] };
    expect(evalCondition(evil, { kind: 'm' })).toBe(false);
  });
});
