// WeCom (企业微信) self-built app adapter: public surface.
export {
  createWecomAdapter,
  type WecomAdapter,
  type WecomAdapterOptions,
  type WecomConfig,
} from './adapter.ts';
export { RETRYABLE_CODES, TOKEN_INVALID_CODES, WecomApi, type WecomApiOptions } from './api.ts';
export { decodeWecomMessage } from './decode.ts';
export {
  CARD_LIMITS,
  encodeWecomMessage,
  taskIdFor,
  WECOM_TEXT_MAX_BYTES,
  type WecomSendBody,
} from './encode.ts';
export { WECOM_WEBHOOK_PATH } from './routes.ts';
export {
  decrypt,
  encrypt,
  msgSignature,
  openCallback,
  sealCallback,
  verifyUrl,
  type WecomKeys,
  wecomKeys,
} from './verify.ts';
