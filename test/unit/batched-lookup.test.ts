/**
 * Reads by key asked for in the same turn go as one (platform/db/reader.ts, batchedLookup, perKeyRows): a batch of
 * updates asks for each person's role once. Every caller must still get its own answer, a failure must
 * reach every caller of that batch and no other, and nothing may be remembered from one turn to the next.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchedLookup, keyedRead, perKeyRows, type SqlReader } from '../../src/platform/db/reader.js';

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

describe('keyed reads', () => {
  type Row = { forUser: bigint; forCourse: bigint; title: string };
  const CARDS = keyedRead<Row>('cards', ['user_id', 'course_id'], (asked) => `SELECT a.user_id AS "forUser", a.course_id AS "forCourse" FROM ${asked} a`);

  /** A database that answers every key it is asked for with one row, and remembers what it was asked. */
  function fakeDatabase() {
    const asked: string[] = [];
    const sql: SqlReader = {
      async rows<R>(_read: unknown, values: readonly unknown[]) {
        asked.push(String(values[0]));
        const keys = JSON.parse(String(values[0])) as { user_id: number; course_id: number }[];
        return keys.filter((k) => k.course_id !== 404).map((k) => ({ forUser: BigInt(k.user_id), forCourse: BigInt(k.course_id), title: `card ${k.user_id}/${k.course_id}` })) as R[];
      },
    };
    return { sql, asked };
  }

  it('when several people open cards in the same turn, then one statement carries each key once and each caller gets the rows of their own key', async () => {
    const { sql, asked } = fakeDatabase();
    const cardOf = perKeyRows<Row, [bigint, number]>(sql, CARDS, (row) => [row.forUser, row.forCourse]);
    const cards = await Promise.all([cardOf(7n, 1), cardOf(8n, 1), cardOf(7n, 2), cardOf(7n, 1), cardOf(9n, 404)]);
    expect(cards.map((rows) => rows.map((r) => r.title))).toEqual([['card 7/1'], ['card 8/1'], ['card 7/2'], ['card 7/1'], []]);
    expect(asked).toEqual(['[{"user_id":7,"course_id":1},{"user_id":8,"course_id":1},{"user_id":7,"course_id":2},{"user_id":9,"course_id":404}]']);
  });

  it('when a key has an id no int8 column holds (a fraction, NaN, beyond int8), then that caller gets nothing and the others are read as usual', async () => {
    const { sql, asked } = fakeDatabase();
    const cardOf = perKeyRows<Row, [bigint, number]>(sql, CARDS, (row) => [row.forUser, row.forCourse]);
    const cards = await Promise.all([cardOf(7n, 1.5), cardOf(7n, Number.NaN), cardOf(2n ** 63n, 1), cardOf(-(2n ** 63n), 3), cardOf(8n, 2)]);
    expect(cards.map((rows) => rows.length)).toEqual([0, 0, 0, 1, 1]);
    expect(asked).toEqual([`[{"user_id":${-(2n ** 63n)},"course_id":3},{"user_id":8,"course_id":2}]`]);
  });
});
