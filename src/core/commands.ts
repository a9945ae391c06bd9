import type { Command } from './feature.ts';

const ALIASES: Record<Command, string[]> = {
  // Contract aliases plus their traditional forms only: any extra word here would be taken
  // from a flow that accepts it as an answer (e.g. an option labelled 人工抽查).
  help: ['帮助', 'help', '幫助'],
  survey: ['调研', 'survey', '調研'],
  lesson: ['课程', 'lesson', '課程'],
  status: ['进度', 'status', '進度'],
  cancel: ['取消', 'cancel'],
  back: ['返回', 'back'],
  skip: ['跳过', 'skip', '跳過'],
  human: ['转人工', 'human', '轉人工'],
};

const LOOKUP = new Map<string, Command>();
for (const [cmd, names] of Object.entries(ALIASES)) for (const n of names) LOOKUP.set(n, cmd as Command);

/** NFKC (full-width → half-width), lower case, trimmed, trailing punctuation dropped. */
export function normalizeCommandText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(/[\s。.!！?？~～]+$/u, '')
    .trim();
}

/**
 * Recognizes a contract chat command: a whole-message match, case- and width-insensitive.
 * `调研 needs-diagnosis` gives `{command: 'survey', arg: 'needs-diagnosis'}`; only `survey`
 * takes an argument.
 * @returns the command, or undefined for ordinary text.
 */
export function parseCommand(text: string): { command: Command; arg?: string } | undefined {
  const t = normalizeCommandText(text);
  if (!t) return undefined;
  const whole = LOOKUP.get(t);
  if (whole) return { command: whole };
  const m = /^(\S+)\s+(\S.*)$/u.exec(t);
  if (m && LOOKUP.get(m[1]) === 'survey') return { command: 'survey', arg: m[2].trim() };
  return undefined;
}
