import { join } from 'node:path';
import { loadYamlDir } from '../content/yaml-files.ts';
import { ContentError } from '../core/errors.ts';
import { type Track, TrackSchema } from './schema.ts';

/**
 * Loads every lesson track from `<flowsDir>/lessons/*.yaml` (one track per file), in file-name
 * order. A missing folder gives `[]`.
 * @param flowsDir `FLOWS_DIR` (the folder holding `lessons/`).
 * @returns tracks with their lessons in file order.
 * @throws {ContentError} code `content_invalid`; each problem names the file, line, lesson id
 *   and what is wrong — all problems of all files at once, including track ids used twice.
 */
export async function loadLessons(flowsDir: string): Promise<Track[]> {
  const files = await loadYamlDir(join(flowsDir, 'lessons'), TrackSchema);
  const seen = new Map<string, string>();
  const problems: ConstructorParameters<typeof ContentError>[0] = [];
  for (const { file, data } of files) {
    const first = seen.get(data.id);
    if (first)
      problems.push({ file, entry: data.id, problem: `track id ${data.id} is already used in ${first}` });
    else seen.set(data.id, file);
  }
  if (problems.length) throw new ContentError(problems);
  return files.map((f) => f.data);
}
