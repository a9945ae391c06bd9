import type { Queued } from './outbox-queue.ts';
import { laneOf, type OutboxItemInput } from './outbox-types.ts';
import { splitByBytes, splitByChars } from './text.ts';
import type { OutgoingMessage, Platform } from './types.ts';

/** What {@link buildItems} needs from the outbox. */
export interface ItemDeps {
  /** The platform's size limit (`bytes` in UTF-8 or `chars`), if its adapter has one. */
  limitOf(platform: Platform): { bytes?: number; chars?: number } | undefined;
  /** The shared body key of a message, or undefined when it stays inline (OutboxBodies). */
  bodyKeyOf(message: OutgoingMessage): string | undefined;
  /** The next item id at `now` (ms UTC); ids only grow, so key order is send order. */
  nextId(now: number): string;
}

/**
 * The queued items for `inputs` at `now` (ms UTC): each message split to its platform's size
 * limit on grapheme boundaries (parts `<idempotencyKey>#<n>`, only the last keeps the buttons),
 * ids in order, large messages referenced by body key.
 * @throws TypeError when a message cannot be turned into JSON (cycles, BigInt).
 */
export function buildItems(inputs: OutboxItemInput[], now: number, deps: ItemDeps): Queued[] {
  const items: Queued[] = [];
  for (const input of inputs) {
    const parts = split(input, deps.limitOf(input.to.platform));
    parts.forEach((message, i) => {
      const body = deps.bodyKeyOf(message);
      items.push({
        to: input.to,
        message,
        ...(body ? { body } : {}),
        idempotencyKey: parts.length > 1 ? `${input.idempotencyKey}#${i}` : input.idempotencyKey,
        ...(input.dedupeKey !== undefined ? { dedupeKey: input.dedupeKey } : {}),
        ...(input.notBefore !== undefined ? { notBefore: input.notBefore } : {}),
        id: deps.nextId(now),
        lane: laneOf(input.to),
        createdAt: now,
        attempts: 0,
        nextAttemptAt: now,
      });
    });
  }
  return items;
}

function split(
  input: OutboxItemInput,
  limit: { bytes?: number; chars?: number } | undefined,
): OutgoingMessage[] {
  if (!limit) return [input.message];
  const parts = limit.bytes
    ? splitByBytes(input.message.text, limit.bytes)
    : limit.chars
      ? splitByChars(input.message.text, limit.chars)
      : [input.message.text];
  if (parts.length <= 1) return [input.message];
  return parts.map((text, i) =>
    i === parts.length - 1
      ? { ...input.message, text }
      : { text, ...(input.message.title ? { title: input.message.title } : {}) },
  );
}
