import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../src/index.ts';
import { LowdbStore, type LowdbStoreOptions } from '../storage/lowdb.ts';
import type { StoreFixture } from './store-contract.ts';

/** A fresh temp directory (removed by the fixture's `dispose`). */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rollout-store-'));

/**
 * Copies a data directory as a crash would leave it: every file as it is right now, minus
 * `db.lock` (the crashed process is dead, so its lock no longer counts).
 */
export function crashImage(dir: string, into = tempDir()): string {
  cpSync(dir, into, { recursive: true, filter: (src) => !src.endsWith('db.lock') });
  return into;
}

/** The record a crash half-way through appending this batch leaves at the end of the journal. */
export function tornRecord(batch: Array<{ collection: string; key: string; value: unknown }>): string {
  const line = JSON.stringify({ ops: batch.map((b) => ({ op: 'put', ...b })) });
  return line.slice(0, Math.floor(line.length / 2));
}

/** Store-contract fixture for the lowdb backend; `extra` options go to every open. */
export function lowdbFixture(extra: Partial<LowdbStoreOptions> = {}): StoreFixture & { dir(): string } {
  const dirs = [tempDir()];
  const opened: Store[] = [];
  const dir = () => dirs.at(-1)!;
  return {
    durable: true,
    dir,
    async open(clock) {
      const s = await LowdbStore.open({ ...extra, dataDir: dir(), clock });
      opened.push(s);
      return s;
    },
    async crash(tornBatch) {
      const image = crashImage(dir());
      if (tornBatch) appendFileSync(join(image, 'db.journal.jsonl'), tornRecord(tornBatch));
      dirs.push(image);
    },
    async corrupt() {
      const file = join(dir(), 'db.json');
      writeFileSync(file, '{"format":"rollout-bot/store","version":1,"journalGen":3,"collections":{"c":{"a"');
      return file;
    },
    async dispose() {
      for (const s of opened) await s.close().catch(() => {});
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
