import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWecomMessage } from '../adapters/wecom/decode.ts';
import { BadRequestError } from '../src/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/wecom/${name}`, import.meta.url), 'utf8');

/** A text callback as WeCom formats it (doc 96467), with overrides. */
function textXml(o: { from?: string; time?: number; msgId: string; content: string }): string {
  return `<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><FromUserName><![CDATA[${o.from ?? 'zhangsan'}]]></FromUserName><CreateTime>${o.time ?? 1700000000}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${o.content}]]></Content><MsgId>${o.msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
}

function clickXml(o: { key: string; code: string; time?: number; taskId?: string }): string {
  return `<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${o.time ?? 1700000000}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${o.key}]]></EventKey><TaskId><![CDATA[${o.taskId ?? 'rb_task1'}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[${o.code}]]></ResponseCode><AgentID>1000002</AgentID></xml>`;
}

describe('decodeWecomMessage', () => {
  it('decodes the documented text message (64-bit MsgId kept exactly as a string)', () => {
    expect(decodeWecomMessage(fixture('text.xml'))).toEqual({
      id: '4561255354251345929',
      platform: 'wecom',
      userId: 'mycreate',
      address: { platform: 'wecom', userId: 'mycreate', chatType: 'direct' },
      text: 'hello',
      sentAt: 1409659813 * 1000,
    });
    // As a JS number it would have become 4561255354251346000.
    expect(String(Number('4561255354251345929'))).not.toBe('4561255354251345929');
  });

  it('keeps markup-like text literal and survives a stray U+0002 control character', () => {
    const raw = fixture('markup-control.xml');
    expect(raw).toContain('\u0002');
    const msg = decodeWecomMessage(raw);
    expect(msg?.text).toBe('结果：<status>ok</status> 库存 & 单据 😀');
    expect(msg?.id).toBe('7300000000000000001');
  });

  it('keeps escaped markup in non-CDATA content literal too', () => {
    const xml = textXml({ msgId: '1', content: 'x' }).replace(
      '<Content><![CDATA[x]]></Content>',
      '<Content>结果：&lt;status&gt;ok&lt;/status&gt;</Content>',
    );
    expect(decodeWecomMessage(xml)?.text).toBe('结果：<status>ok</status>');
  });

  it('decodes a template_card_event click into an action with a per-click id', () => {
    const msg = decodeWecomMessage(fixture('card-click.xml'));
    expect(msg).toMatchObject({
      platform: 'wecom',
      userId: 'zhangsan',
      action: 'survey:company_type:manufacturing',
      address: { platform: 'wecom', userId: 'zhangsan', chatType: 'direct' },
      sentAt: 1700000000 * 1000,
    });
    expect(msg?.text).toBeUndefined();
    expect(msg?.id).toBe(
      'card:rb_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c:survey:company_type:manufacturing:KfAsW3-7uTaC8GVvSyqXp2F8gRdXyXaJzYbOcL9E4A0',
    );
  });

  it('decodes image and voice messages as messages without text (answered "text only")', () => {
    for (const [file, id] of [
      ['image.xml', '7300000000000000002'],
      ['voice.xml', '7300000000000000003'],
    ]) {
      const msg = decodeWecomMessage(fixture(file));
      expect(msg).toMatchObject({ id, userId: 'wangwu', platform: 'wecom' });
      expect(msg?.text).toBeUndefined();
      expect(msg?.action).toBeUndefined();
    }
  });

  it('ignores enter_agent and other events', () => {
    expect(decodeWecomMessage(fixture('enter-agent.xml'))).toBeNull();
    const menu = clickXml({ key: 'k', code: 'c' }).replace('template_card_event', 'template_card_menu_event');
    expect(decodeWecomMessage(menu)).toBeNull();
  });

  it('gives two messages from the same member in the same second two ids', () => {
    const a = decodeWecomMessage(textXml({ msgId: '7300000000000000010', content: '调研' }));
    const b = decodeWecomMessage(textXml({ msgId: '7300000000000000011', content: '1' }));
    expect(a?.sentAt).toBe(b?.sentAt);
    expect(a?.id).not.toBe(b?.id);
  });

  it('gives two card clicks in the same second (different EventKeys) two ids', () => {
    const a = decodeWecomMessage(clickXml({ key: 'survey:q1:a', code: 'rc-1' }));
    const b = decodeWecomMessage(clickXml({ key: 'survey:q1:b', code: 'rc-2' }));
    expect(a?.id).not.toBe(b?.id);
    // Even the same button on the same card clicked twice: each click has its own ResponseCode.
    const c = decodeWecomMessage(clickXml({ key: 'survey:q1:a', code: 'rc-3' }));
    expect(c?.id).not.toBe(a?.id);
    // A redelivery of one click keeps its id, so the core's dedupe drops it.
    expect(decodeWecomMessage(clickXml({ key: 'survey:q1:a', code: 'rc-1' }))?.id).toBe(a?.id);
  });

  it('rejects malformed XML and messages without sender or MsgId', () => {
    expect(() => decodeWecomMessage('<xml><MsgType>text</xml>')).toThrow(BadRequestError);
    expect(() => decodeWecomMessage('hello')).toThrow(BadRequestError);
    expect(() => decodeWecomMessage(textXml({ msgId: '', content: 'x' }))).toThrow(/MsgId/);
    expect(() =>
      decodeWecomMessage('<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>text</MsgType></xml>'),
    ).toThrow(BadRequestError);
  });

  it('reads CDATA verbatim (no entity decoding inside), decodes entities outside it', () => {
    const cdata = decodeWecomMessage(textXml({ msgId: '2', content: 'a &amp; b <i>c</i> ]] >' }));
    expect(cdata?.text).toBe('a &amp; b <i>c</i> ]] >');
    const plain = textXml({ msgId: '3', content: 'x' }).replace('<![CDATA[x]]>', '1 &lt; 2 &amp;&#x6C49;');
    expect(decodeWecomMessage(plain)?.text).toBe('1 < 2 &汉');
  });

  it('refuses an unclosed element, two roots and a non-xml root; a repeated field reads as absent', () => {
    expect(() => decodeWecomMessage('<xml><MsgType>text</MsgType><Content>x</xml>')).toThrow(
      /not closed|well-formed/,
    );
    expect(() => decodeWecomMessage('<xml><MsgType>text</MsgType></xml><xml></xml>')).toThrow(
      BadRequestError,
    );
    const twice = textXml({ msgId: '4', content: 'x' }).replace(
      '<MsgType>',
      '<MsgType><![CDATA[text]]></MsgType><MsgType>',
    );
    expect(() => decodeWecomMessage(twice)).toThrow(/MsgType/);
  });

  it('cannot be steered through __proto__ elements', () => {
    const xml = `<xml><__proto__><MsgType>text</MsgType><FromUserName>u</FromUserName><MsgId>9</MsgId></__proto__></xml>`;
    expect(() => decodeWecomMessage(xml)).toThrow(/MsgType/);
  });
});
