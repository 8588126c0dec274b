/**
 * Reads by key asked for in the same turn go as one (platform/db/reader.ts, batchedLookup): a batch of
 * updates asks for each person's role once. Every caller must still get its own answer, a failure must
 * reach every caller of that batch and no other, and nothing may be remembered from one turn to the next.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchedLookup } from '../../src/platform/db/reader.js';

describe('batched lookups', () => {
  it('when several people are looked up in the same turn, then one read asks for each once and each caller gets their own answer', async () => {
    const loads: number[][] = [];
    const roleOf = batchedLookup(async (ids: number[]) => {
      loads.push(ids);
      return new Map(ids.filter((id) => id !== 3).map((id) => [id, `role-${id}`]));
    });
    const answers = await Promise.all([roleOf(1), roleOf(2), roleOf(1), roleOf(3)]);
    expect(answers).toEqual(['role-1', 'role-2', 'role-1', undefined]);
    expect(loads).toEqual([[1, 2, 3]]);
  });

  it('when lookups come in different turns, then each turn reads afresh: nothing is remembered', async () => {
    let role = 'MEMBER';
    const loads: number[][] = [];
    const roleOf = batchedLookup(async (ids: number[]) => {
      loads.push(ids);
      return new Map(ids.map((id) => [id, role]));
    });
    expect(await roleOf(7)).toBe('MEMBER');
    role = 'MANAGER';
    await nextTurn();
    expect(await roleOf(7)).toBe('MANAGER');
    expect(loads).toEqual([[7], [7]]);
  });

  it('when the read of a batch fails, then every caller of that batch gets the error and the next batch is read again', async () => {
    let down = true;
    const roleOf = batchedLookup(async (ids: number[]) => {
      if (down) throw new Error('Connection terminated');
      return new Map(ids.map((id) => [id, 'MEMBER']));
    });
    const failed = await Promise.allSettled([roleOf(1), roleOf(2)]);
    expect(failed.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'answered'))).toEqual(['Connection terminated', 'Connection terminated']);
    down = false;
    expect(await roleOf(1)).toBe('MEMBER');
  });
});
