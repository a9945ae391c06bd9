import { describe, expect, it } from 'vitest';
import { cloneValue } from '../src/core/clone.ts';

describe('cloneValue', () => {
  it('deep-copies JSON-like data: equal, and sharing nothing', () => {
    const v = {
      a: 1,
      s: '汉',
      n: null,
      u: undefined,
      list: [1, { b: [true, 'x'] }],
      nested: { c: { d: 2 } },
    };
    const c = cloneValue(v);
    expect(c).toStrictEqual(v);
    expect(c).not.toBe(v);
    expect(c.list[1]).not.toBe(v.list[1]);
    (c.nested.c as { d: number }).d = 3;
    expect(v.nested.c.d).toBe(2);
  });

  it('keeps Dates and Maps as structuredClone does', () => {
    const when = new Date('2026-03-02T01:30:00Z');
    const c = cloneValue({ when, m: new Map([['k', 1]]) });
    expect(c.when).toBeInstanceOf(Date);
    expect(c.when.getTime()).toBe(when.getTime());
    expect(c.when).not.toBe(when);
    expect(c.m.get('k')).toBe(1);
  });

  it('refuses functions like structuredClone, wherever they are', () => {
    expect(() => cloneValue({ a: [{ f: () => 1 }] })).toThrow(/could not be cloned/i);
  });

  it('keeps an own __proto__ key as data and never changes the prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const c = cloneValue(v);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect((c as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(c)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(c)).toBe(JSON.stringify(v));
  });
});
