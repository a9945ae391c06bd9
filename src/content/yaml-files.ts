import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ContentError } from '../core/errors.ts';

export interface LoadedFile<T> {
  /** Path as given (FLOWS_DIR joined with the folder and file name). */
  file: string;
  data: T;
}

type Problem = ConstructorParameters<typeof ContentError>[0][number];

/**
 * Loads and validates every `*.yaml`/`*.yml` file of `dir` (not recursive) against `schema`.
 * A missing folder is valid and yields `[]` (that feature has no content).
 * Each problem names the file, its line, the entry (the `id` of the nearest list item that
 * has one, else its path) and what is wrong; all problems of all files are reported at once.
 * @throws {ContentError} code `content_invalid`.
 */
export async function loadYamlDir<S extends z.ZodType>(
  dir: string,
  schema: S,
): Promise<LoadedFile<z.infer<S>>[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: LoadedFile<z.infer<S>>[] = [];
  const problems: Problem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const r = parseYaml(file, await readFile(file, 'utf8'), schema);
    if (r.ok) out.push({ file, data: r.data });
    else problems.push(...r.problems);
  }
  if (problems.length) throw new ContentError(problems);
  return out;
}

/**
 * Parses one YAML text and validates it; returns problems with line numbers instead of throwing.
 */
export function parseYaml<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): { ok: true; data: z.infer<S> } | { ok: false; problems: Problem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line,
        problem: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const res = schema.safeParse(doc.toJS());
  if (res.success) return { ok: true, data: res.data };
  return {
    ok: false,
    problems: res.error.issues.map((issue) => {
      const path = issue.path as (string | number)[];
      const { line, entry } = locate(doc, lc, path);
      return { file, line, entry, problem: `${path.length ? `${path.join('.')}: ` : ''}${issue.message}` };
    }),
  };
}

/** Finds the line of the deepest existing node on `path` and the nearest enclosing entry id. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  path: (string | number)[],
): { line?: number; entry?: string } {
  let node: unknown = doc.contents;
  let line: number | undefined;
  let entry: string | undefined;
  const lineOf = (n: unknown) => {
    const range = (n as { range?: [number, number, number] })?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  line = lineOf(node);
  for (const seg of path) {
    let next: unknown;
    if (isMap(node)) next = node.get(seg as string, true);
    else if (isSeq(node)) next = node.get(seg as number, true);
    if (next === undefined) break;
    node = next;
    line = lineOf(node) ?? line;
    if (isMap(node)) {
      const id = node.get('id');
      if (typeof id === 'string' || typeof id === 'number') entry = String(id);
    }
  }
  return { line, entry };
}
