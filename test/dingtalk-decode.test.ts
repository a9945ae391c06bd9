import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeCardCallback,
  decodeRobotMessage,
  EMPTY_MENTION_TEXT,
  stripBotMention,
} from '../adapters/dingtalk/decode.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const opts = { robotCode: 'dingrobot123', botNames: ['小助手'] };
const message = (name: string, o = opts) => {
  const r = decodeRobotMessage(fixture(name), o);
  if (r.status !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return r.message;
};

describe('decodeRobotMessage', () => {
  it('group message mentioning the bot: msgId as id, staffId as user, leading space gone, group address', () => {
    const m = message('group-mention.json');
    expect(m).toEqual({
      id: 'msgWjYj1k8LPNOBBy+jxNKwQw==',
      platform: 'dingtalk',
      userId: 'lisi',
      group: true,
      text: '帮我看下这张入库单',
      userName: '李四',
      sentAt: 1767225600000,
      address: {
        platform: 'dingtalk',
        chatId: 'cidoAgtPbnu9MyulIyt0kpNYg==',
        chatType: 'group',
        userId: 'lisi',
        meta: {
          sessionWebhook:
            'https://oapi.dingtalk.com/robot/sendBySession?session=b28f49899ea1cba0d256673d66ffe386',
          sessionWebhookExpiredTime: '1767231000000',
        },
      },
    });
  });

  it('strips the bot’s own mention glued to the following Chinese text', () => {
    expect(message('group-mention-glued.json').text).toBe('帮我看下这张入库单');
  });

  it('keeps other people’s mentions when the bot is mentioned too', () => {
    expect(message('group-mention-with-other.json').text).toBe('@张三 帮我看下这张入库单');
  });

  it('a group message mentioning someone else (bot not in atUsers) is not for the bot', () => {
    expect(decodeRobotMessage(fixture('group-other-mention.json'), opts)).toEqual({
      status: 'ignored',
      reason: 'not-addressed',
    });
  });

  it('the bot is found in atUsers by chatbotUserId or by robotCode as staffId, without isInAtList', () => {
    const base = fixture('group-other-mention.json');
    const byId = { ...base, atUsers: [...(base.atUsers as object[]), { dingtalkId: base.chatbotUserId }] };
    expect(decodeRobotMessage(byId, opts).status).toBe('message');
    const byCode = { ...base, atUsers: [{ dingtalkId: 'x', staffId: 'dingrobot123' }] };
    expect(decodeRobotMessage(byCode, opts).status).toBe('message');
  });

  it('1:1 text: direct address with the sessionWebhook, no chatId', () => {
    const m = message('direct-text.json');
    expect(m.text).toBe('调研');
    expect(m.group).toBe(false);
    expect(m.address).toEqual({
      platform: 'dingtalk',
      userId: 'lisi',
      chatType: 'direct',
      meta: {
        sessionWebhook:
          'https://oapi.dingtalk.com/robot/sendBySession?session=b28f49899ea1cba0d256673d66ffe386',
        sessionWebhookExpiredTime: '1767231000000',
      },
    });
  });

  it('falls back to senderId when senderStaffId is missing (outside the org / debug group)', () => {
    const m = message('direct-no-staffid.json');
    expect(m.userId).toBe('$:LWCP_v1:$9gY0EpfG9gA0e4xnPjDHugeGB0JtdCJV');
    expect(m.text).toBe('hello');
  });

  it('media (picture) → a message without text; richText → its text parts', () => {
    const pic = message('direct-picture.json');
    expect(pic.id).toBe('msgPicture001==');
    expect(pic.text).toBeUndefined();
    expect(message('direct-rich-text.json').text).toBe('扫码后库存没变，怎么办');
  });

  it('ignores the bot’s own echo', () => {
    expect(decodeRobotMessage(fixture('group-own-echo.json'), opts)).toEqual({
      status: 'ignored',
      reason: 'own-echo',
    });
  });

  it('a bare mention reads as help', () => {
    const p = { ...fixture('group-mention.json'), text: { content: ' ' } };
    const r = decodeRobotMessage(p, opts);
    expect(r.status === 'message' && r.message.text).toBe(EMPTY_MENTION_TEXT);
  });

  it('malformed payloads are ignored, not thrown', () => {
    for (const p of [
      null,
      'x',
      {},
      { ...fixture('direct-text.json'), msgId: undefined },
      { ...fixture('group-mention.json'), conversationId: '' },
    ])
      expect(decodeRobotMessage(p, opts)).toEqual({ status: 'ignored', reason: 'malformed' });
  });
});

describe('stripBotMention', () => {
  it('only removes the configured names, longest first, with full-width @ and the 1/4 em space', () => {
    expect(stripBotMention('@小助手2号 你好', ['小助手', '小助手2号'])).toBe('你好');
    expect(stripBotMention('＠小助手\u2005查库存', ['小助手'])).toBe('查库存');
    expect(stripBotMention('@小张 @小助手 帮我', ['小助手'])).toBe('@小张 帮我');
    expect(stripBotMention(' 你好 ', [])).toBe('你好');
    expect(stripBotMention('@a.b 你好', ['a.b'])).toBe('你好');
    expect(stripBotMention('@axb 你好', ['a.b'])).toBe('@axb 你好');
  });
});

describe('decodeCardCallback', () => {
  it('a button click → action value from the button id, id unique per card, user and value', () => {
    const r = decodeCardCallback(fixture('card-callback.json'));
    expect(r).toEqual({
      status: 'message',
      message: {
        id: 'card:rb0123456789abcdef0123456789abcdef:lisi:survey:needs-diagnosis:company_type:manufacturing',
        platform: 'dingtalk',
        userId: 'lisi',
        address: { platform: 'dingtalk', userId: 'lisi', chatType: 'direct' },
        action: 'survey:needs-diagnosis:company_type:manufacturing',
      },
    });
  });

  it('takes a `value` param (custom templates) before the action id', () => {
    const p = {
      ...fixture('card-callback.json'),
      content: JSON.stringify({
        cardPrivateData: { actionIds: ['button_1'], params: { value: 'faq:helpful' } },
      }),
    };
    const r = decodeCardCallback(p);
    expect(r.status === 'message' && r.message.action).toBe('faq:helpful');
  });

  it('ignores callbacks without a usable button', () => {
    const p = {
      ...fixture('card-callback.json'),
      content: '{"cardPrivateData":{"actionIds":["button_1"],"params":{}}}',
      value: '',
    };
    expect(decodeCardCallback(p)).toEqual({ status: 'ignored', reason: 'malformed' });
    expect(decodeCardCallback({ ...fixture('card-callback.json'), userId: '' })).toEqual({
      status: 'ignored',
      reason: 'malformed',
    });
  });
});
