/**
 * The embedded database runs its hot reads as prepared statements, their values written in as literals
 * (platform/db/pglite-prepared.ts). What people type must come back exactly as typed and never be read as
 * SQL; a statement the server dropped, or one whose table changed, must still answer; and what cannot be a
 * literal takes PGlite's ordinary path.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { preparedStatements, sqlLiteral } from '../../src/platform/db/pglite-prepared.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createUser } from '../support/ngo-fixtures.js';

const NASTY = [
  "O'Reilly",
  "'); DROP TABLE notes; --",
  'C:\\path\\to\\file',
  "\\'; DROP TABLE notes; --",
  "E'\\x41'",
  'انجمن «حامیان» (Green Hands) ۱۲۳ 😀',
  '$1 $$ $tag$ \n\t tab',
  '',
];

const preparedNames = async (pg: PGlite) => (await pg.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);

describe('values as literals', () => {
  it('when values are written into a statement, then text is quoted (E-quoted with a backslash), and what has no exact literal is refused', () => {
    expect(sqlLiteral("O'Reilly")).toBe("'O''Reilly'");
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(sqlLiteral(12n)).toBe("'12'");
    expect(sqlLiteral(-3.5)).toBe("'-3.5'");
    expect(sqlLiteral(true)).toBe('true');
    expect(sqlLiteral(null)).toBe('NULL');
    for (const value of [Number.NaN, Infinity, 'a\0b', [1, 2], { a: 1 }, new Uint8Array([1]), undefined]) expect(sqlLiteral(value)).toBeUndefined();
  });
});

describe('prepared statements on PGlite', () => {
  let pg: PGlite | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await pg?.close();
    await db?.close();
    pg = undefined;
    db = undefined;
  });

  async function notes() {
    pg = await PGlite.create();
    await pg.exec('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
    for (const [i, body] of NASTY.entries()) await pg.query('INSERT INTO notes VALUES ($1, $2)', [i, body]);
    return pg;
  }

  it('when text with quotes, backslashes, SQL and Persian is looked up by a prepared read, then each comes back exactly as typed and nothing else runs', async () => {
    const pg = await notes();
    const statements = preparedStatements();
    for (const [i, body] of NASTY.entries()) {
      const found = await statements.run<{ id: number; body: string }>(pg, 'note_by_body', 'SELECT id, body FROM notes WHERE body = $1', [body]);
      expect(found.rows).toEqual([{ id: i, body }]);
    }
    expect((await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n).toBe(NASTY.length);
    // Prepared once, then only run.
    expect(await preparedNames(pg)).toEqual(['note_by_body']);
  });

  it('when the server has dropped its prepared statements, or the table gained a column since, then the read is prepared again and answers', async () => {
    const pg = await notes();
    const statements = preparedStatements();
    const read = () => statements.run<Record<string, unknown>>(pg, 'note_by_id', 'SELECT * FROM notes WHERE id = $1', [0]);
    expect((await read()).rows).toEqual([{ id: 0, body: "O'Reilly" }]);
    await pg.exec('DEALLOCATE ALL');
    expect((await read()).rows).toEqual([{ id: 0, body: "O'Reilly" }]);
    await pg.exec("ALTER TABLE notes ADD COLUMN tag text NOT NULL DEFAULT 'x'");
    expect((await read()).rows).toEqual([{ id: 0, body: "O'Reilly", tag: 'x' }]);
  });

  it('when a read goes stale inside a transaction, where it cannot be dropped, then it is replaced at its next use outside', async () => {
    const pg = await notes();
    const statements = preparedStatements();
    const read = (target: { query: PGlite['query'] }) => statements.run<Record<string, unknown>>(target, 'note_row', 'SELECT * FROM notes WHERE id = $1', [2]);
    await read(pg);
    await pg.exec("ALTER TABLE notes ADD COLUMN tag text NOT NULL DEFAULT 'x'");
    await expect(pg.transaction((tx) => read(tx))).rejects.toThrow();
    expect((await read(pg)).rows).toEqual([{ id: 2, body: NASTY[2], tag: 'x' }]);
    expect((await read(pg)).rows).toEqual([{ id: 2, body: NASTY[2], tag: 'x' }]);
  });

  it('when a read is first asked for inside a failed transaction, then it fails there and is prepared at its next use', async () => {
    const pg = await notes();
    const statements = preparedStatements();
    await expect(
      pg.transaction(async (tx) => {
        await tx.query('SELECT 1/0').catch(() => {});
        return statements.run(tx, 'note_by_id', 'SELECT body FROM notes WHERE id = $1', [1]);
      }),
    ).rejects.toThrow(/aborted/);
    expect((await statements.run(pg, 'note_by_id', 'SELECT body FROM notes WHERE id = $1', [1])).rows).toEqual([{ body: NASTY[1] }]);
  });

  it('when a value has no literal (a list), then the read takes the ordinary path and prepares nothing', async () => {
    const pg = await notes();
    const statements = preparedStatements();
    const found = await statements.run<{ id: number }>(pg, 'notes_in', 'SELECT id FROM notes WHERE id = ANY($1) ORDER BY id', [[2, 4]]);
    expect(found.rows).toEqual([{ id: 2 }, { id: 4 }]);
    expect(await preparedNames(pg)).toEqual([]);
  });

  it("when Prisma reads a row twice on the embedded database, then its statement is prepared once and both reads are the row", async () => {
    db = await createTestDatabase('embedded');
    await createUser(db, 4242);
    const usersReads = async () =>
      (await db!.prisma.$queryRaw<{ name: string; statement: string }[]>`SELECT name, statement FROM pg_prepared_statements ORDER BY name`).filter(
        (p) => p.name.startsWith('prisma_') && /FROM "public"\."users"/.test(p.statement),
      );
    const first = await db.prisma.user.findUnique({ where: { id: 4242n } });
    const afterFirst = await usersReads();
    const second = await db.prisma.user.findUnique({ where: { id: 4242n } });
    expect(first?.id).toBe(4242n);
    expect(second).toEqual(first);
    expect(afterFirst.length).toBeGreaterThan(0);
    expect(await usersReads()).toEqual(afterFirst);
  });

  it("when a form's progress is saved twice on the embedded database, then the insert is prepared once and the second save is what is kept, as typed", async () => {
    db = await createTestDatabase('embedded');
    const save = (text: string) =>
      db!.prisma.session.upsert({ where: { key: '1:1' }, create: { key: '1:1', data: { text } }, update: { data: { text } } });
    await save('اول');
    await save(NASTY[3]!);
    expect((await db.prisma.session.findUnique({ where: { key: '1:1' } }))?.data).toEqual({ text: NASTY[3] });
    const prepared = await db.prisma.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'prisma_%'`;
    expect(prepared.filter((p) => /INSERT INTO "public"\."sessions"/.test(p.statement))).toHaveLength(1);
  });
});
