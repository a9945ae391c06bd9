import { join } from 'node:path';
import { loadYamlDir } from '../content/yaml-files.ts';
import { ContentError } from '../core/errors.ts';
import { type Survey, SurveySchema } from './schema.ts';

/**
 * Loads every survey of `<flowsDir>/surveys/*.yaml` (a missing folder gives `[]`), checked
 * against {@link SurveySchema}: unique question ids, `when` naming an earlier question and
 * values it can have, options for choice questions, diagnosis rules naming real questions.
 * @param flowsDir the `FLOWS_DIR` folder
 * @returns surveys in file-name order
 * @throws {ContentError} code `content_invalid`; each problem names file, line, question id
 *   (or rule id) and what is wrong; also when two files share a survey id.
 */
export async function loadSurveys(flowsDir: string): Promise<Survey[]> {
  const files = await loadYamlDir(join(flowsDir, 'surveys'), SurveySchema);
  const byId = new Map<string, string>();
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const { file, data } of files) {
    const other = byId.get(data.id);
    if (other)
      problems.push({ file, entry: data.id, problem: `survey id '${data.id}' is also used by ${other}` });
    byId.set(data.id, file);
  }
  if (problems.length) throw new ContentError(problems);
  return files.map((f) => f.data);
}
