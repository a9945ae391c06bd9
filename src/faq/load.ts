import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadYamlDir, parseYaml } from '../content/yaml-files.ts';
import { ContentError } from '../core/errors.ts';
import { type FaqContent, type FaqFile, FaqFileSchema } from './schema.ts';

/**
 * Loads FAQ content from `<flowsDir>/faq/*.yaml`. A missing folder yields empty content.
 * @param flowsDir the `FLOWS_DIR` folder (e.g. `./flows`).
 * @throws {ContentError} code `content_invalid`: every problem of every file, each naming the
 *   file, line and entry; duplicate ids name both files.
 */
export async function loadFaq(flowsDir: string): Promise<FaqContent> {
  return loadFaqDir(join(flowsDir, 'faq'));
}

/** Like {@link loadFaq} for the folder itself (e.g. `flows/faq`). */
export async function loadFaqDir(dir: string): Promise<FaqContent> {
  const files = await loadYamlDir(dir, FaqFileSchema);
  return merge(files);
}

/**
 * Loads the given FAQ files (e.g. `../shared/eval/faq-dev/kb.yaml` plus a thesaurus file).
 * @throws {ContentError} code `content_invalid`, as {@link loadFaq}; an unreadable file too.
 */
export async function loadFaqFiles(paths: string[]): Promise<FaqContent> {
  const files: { file: string; data: FaqFile }[] = [];
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const file of paths) {
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (e) {
      problems.push({ file, problem: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const r = parseYaml(file, raw, FaqFileSchema);
    if (r.ok) files.push({ file, data: r.data });
    else problems.push(...r.problems);
  }
  if (problems.length) throw new ContentError(problems);
  return merge(files);
}

/** Merges parsed files; ids must be unique across files. */
function merge(files: { file: string; data: FaqFile }[]): FaqContent {
  const content: FaqContent = { entries: [], synonyms: [], outOfScope: [], fileOf: new Map() };
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const { file, data } of files) {
    for (const e of data.entries ?? []) {
      const first = content.fileOf.get(e.id);
      if (first !== undefined) {
        problems.push({
          file,
          entry: e.id,
          problem: `duplicate id "${e.id}" (first defined in ${first}); ids must be unique across FAQ files`,
        });
        continue;
      }
      content.fileOf.set(e.id, file);
      content.entries.push(e);
    }
    content.synonyms.push(...(data.synonyms ?? []));
    content.outOfScope.push(...(data.out_of_scope ?? []));
  }
  if (problems.length) throw new ContentError(problems);
  return content;
}
