import { getSignature, encrypt as wecomEncrypt } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main.ts';
import { fakeApi, startApp, until } from './app.ts';

// Independent implementation (@wecom/crypto) encrypts exactly as WeCom does.
const AES = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const TOKEN = 'QDG6eK';
const CORP = 'wx5823bf96d3bd56c7';

let n = 0;
function callback(inner: string, opts: { badSig?: boolean } = {}) {
  const enc = wecomEncrypt(AES, inner, CORP);
  const timestamp = String(1_700_000_000 + n);
  const nonce = `nonce${n++}`;
  const sig = opts.badSig ? '0'.repeat(40) : getSignature(TOKEN, timestamp, nonce, enc);
  const body = `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
  return { query: `msg_signature=${sig}&timestamp=${timestamp}&nonce=${nonce}`, body };
}
const text = (user: string, content: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
const click = (user: string, key: string, taskId: string, code: string) =>
  `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${key}]]></EventKey><TaskId><![CDATA[${taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[${code}]]></ResponseCode><AgentID>1000002</AgentID></xml>`;

describe('acceptance: WeCom end to end (encrypted callbacks in, message/send out)', () => {
  let app: App;
  let url: string;
  let wecom: Awaited<ReturnType<typeof fakeApi>>;
  const sends = () => wecom.calls.filter((c) => c.path.startsWith('/cgi-bin/message/send'));
  const textOf = (b: any) =>
    b?.text?.content ??
    b?.template_card?.sub_title_text ??
    b?.template_card?.main_title?.title ??
    JSON.stringify(b);
  const post = (cb: { query: string; body: string }) =>
    fetch(`${url}/webhooks/wecom?${cb.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: cb.body,
    });

  beforeAll(async () => {
    wecom = await fakeApi((path) =>
      path.startsWith('/cgi-bin/gettoken')
        ? { json: { errcode: 0, access_token: 'tok', expires_in: 7200 } }
        : { json: { errcode: 0, errmsg: 'ok' } },
    );
    ({ app, url } = await startApp({
      WECOM_CORP_ID: CORP,
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'sec',
      WECOM_TOKEN: TOKEN,
      WECOM_ENCODING_AES_KEY: AES,
      WECOM_API_BASE: wecom.url,
    }));
  });
  afterAll(async () => {
    await app.stop();
    await wecom.close();
  });

  it('调研 → first question via message/send; a wrong msg_signature is 401 and changes nothing', async () => {
    const bad = await post(callback(text('zhangsan', '调研', '9001'), { badSig: true }));
    expect(bad.status).toBe(401);
    expect(await app.store.get('sessions', 'wecom:zhangsan')).toBeUndefined();

    const cb = callback(text('zhangsan', '调研', '9002'));
    const r = await post(cb);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
    const first = await until(() => sends()[0]);
    expect(first.body.touser).toBe('zhangsan');
    expect(JSON.stringify(first.body)).toContain('生产型');
    // the same callback delivered again: no second reply
    await post(cb);
    await new Promise((res) => setTimeout(res, 300));
    expect(sends()).toHaveLength(1);
  });

  it('answers by button click and by text complete the survey and send the diagnosis', async () => {
    const card = sends()[0].body.template_card;
    let code = 0;
    // Click the 生产型 button on the card.
    const btn = card?.button_list?.find((b: { text: string }) => b.text === '生产型');
    if (btn) await post(callback(click('zhangsan', btn.key, card.task_id, `rc${code++}`)));
    else await post(callback(text('zhangsan', '1', '9100')));
    let msgId = 9200;
    for (let step = 0; step < 30; step++) {
      const before = sends().length;
      await until(() => sends().length > before || sends().length >= 1);
      const last = sends()[sends().length - 1];
      const t = textOf(last.body);
      if (/诊断完成|建议优先/.test(JSON.stringify(last.body))) break;
      // Answer: the first button if there is a card, else a plausible typed answer.
      const c = last.body.template_card;
      let answer: string;
      if (c?.button_list?.length) {
        await post(callback(click('zhangsan', c.button_list[0].key, c.task_id, `rc${code++}`)));
      } else {
        answer = /几天|天数|滞后/.test(t)
          ? '3'
          : /人数|多少人|员工/.test(t)
            ? '30'
            : /日期|哪天|何时/.test(t)
              ? '2026-06-01'
              : /多选|可多选/.test(t)
                ? '1,2'
                : '2';
        await post(callback(text('zhangsan', answer, String(msgId++))));
      }
      await until(() => sends().length > before, 5_000);
    }
    const all = JSON.stringify(sends().map((s) => s.body));
    expect(all).toMatch(/诊断完成|建议优先/);
    const responses = await app.store.list<{ status: string }>('responses', {
      prefix: 'needs-diagnosis/wecom:zhangsan/',
    });
    expect(responses.length).toBe(1);
    expect(responses[0].value.status).toBe('completed');
    expect(sends().every((s) => s.path.includes('access_token=tok'))).toBe(true);
    expect(wecom.calls.filter((c) => c.path.startsWith('/cgi-bin/gettoken'))).toHaveLength(1);
  });
});
