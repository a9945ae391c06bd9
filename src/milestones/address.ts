import { type Address, directAddress, parseUserKey } from '../core/types.ts';

/**
 * Address of a recipient given in config or plans: a user key (`wecom:zhangsan`, `dev:u1`)
 * is that user's 1:1 chat; `<platform>:group:<chatId>` (e.g. `feishu:group:oc_123`,
 * `dingtalk:group:cidXYZ`, `slack:group:C0123`) is a group chat — the form `PROJECT_GROUP`
 * takes for a group.
 * @throws {Error} when the platform prefix is unknown.
 */
export function addressOf(target: string): Address {
  const { platform, userId } = parseUserKey(target);
  if (userId.startsWith('group:'))
    return { platform, chatId: userId.slice('group:'.length), chatType: 'group' };
  return directAddress(target);
}
