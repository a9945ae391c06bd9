import type { Locale } from './types.ts';

/** A user-facing text in every locale; `{name}` placeholders are filled by {@link t}. */
export type Text = Record<Locale, string>;

/** Declares a feature's message table (keeps zh-CN and en side by side). */
export function defineMessages<K extends string>(m: Record<K, Text>): Record<K, Text> {
  return m;
}

/** Renders a text in `locale`, filling `{name}` from `params`. */
export function t(locale: Locale, text: Text, params: Record<string, string | number> = {}): string {
  const s = text[locale] ?? text['zh-CN'];
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** Picks zh-CN or en from a `{zh, en}` pair in content (falls back to zh). */
export function pick(locale: Locale, zh: string, en?: string): string {
  return locale === 'en' && en ? en : zh;
}
