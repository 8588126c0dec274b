/**
 * The query load of the memory measurement: what one bot update does to the database, repeated. Each
 * "update" records the contact (the hot path's upsert with the admin row), reads the session and sometimes
 * writes it, then does one feature's reads: the member's NGO, a county's NGO list with its count, the
 * office's queue of pending NGOs, an audit row, a few users by id. Every 100th update selects a broadcast
 * audience (thousands of rows), the heaviest read the bot does routinely.
 *
 * The same load is written twice: through Prisma (what the bot runs) and as the equivalent SQL straight
 * to PGlite, so the difference between the two separates Prisma's memory from PGlite's.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaClient } from '../../../src/platform/db/client.js';
import { FIRST_USER_ID } from './seed.js';

/** 1,000 active members, as in issue 12's benchmark; one update in fifty comes from someone new. */
function userFor(i: number): bigint {
  return i % 50 === 49 ? FIRST_USER_ID + 1_000_000n + BigInt(i) : FIRST_USER_ID + 1n + BigInt((i * 7919) % 1000);
}

export interface Workload {
  update(i: number, counties: number[]): Promise<void>;
  counties(): Promise<number[]>;
}

export function prismaWorkload(prisma: PrismaClient): Workload {
  return {
    counties: async () => (await prisma.county.findMany({ select: { id: true } })).map((c) => c.id),
    async update(i, counties) {
      const id = userFor(i);
      const now = new Date();
      const countyId = counties[i % counties.length]!;
      await prisma.user.upsert({
        where: { id },
        create: { id, firstName: `کاربر ${i}`, lastSeenAt: now },
        update: { firstName: `کاربر ${i % 1000}`, reachable: true, unreachableReason: null, lastSeenAt: now },
        include: { admin: true },
      });
      const key = `telegram:${id}:${id}`;
      await prisma.session.findUnique({ where: { key } });
      if (i % 5 === 0) {
        const data = { step: 'form', page: i % 7, draft: { name: `پیش‌نویس ${i}` } };
        await prisma.session.upsert({ where: { key }, create: { key, data }, update: { data } });
      }
      switch (i % 5) {
        case 0:
          await prisma.ngoMember.findUnique({ where: { userId: id }, include: { ngo: { include: { county: true } } } });
          break;
        case 1: {
          const where = { countyId, status: 'APPROVED' as const };
          await prisma.ngo.findMany({ where, orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }], skip: (i % 20) * 10, take: 10 });
          await prisma.ngo.count({ where });
          break;
        }
        case 2:
          await prisma.ngo.findMany({ where: { status: 'PENDING' }, orderBy: { submittedAt: 'asc' }, take: 10, include: { county: true, fields: true } });
          break;
        case 3:
          await prisma.auditLog.create({ data: { actorId: id, action: 'bench.update', entityType: 'user', entityId: String(id), details: { i } } });
          break;
        default:
          await prisma.user.findMany({ where: { id: { in: [id, id + 1n, id + 2n, id + 3n] } }, select: { id: true, firstName: true, lastName: true } });
      }
      if (i % 100 === 0) {
        await prisma.ngoMember.findMany({ where: { ngo: { status: 'APPROVED', countyId } }, select: { userId: true, user: { select: { language: true } } } });
      }
    },
  };
}

export function plainWorkload(pg: PGlite): Workload {
  return {
    counties: async () => (await pg.query<{ id: number }>('SELECT id FROM counties')).rows.map((c) => c.id),
    async update(i, counties) {
      const id = userFor(i).toString();
      const countyId = counties[i % counties.length]!;
      await pg.query(
        `INSERT INTO users (id, first_name, last_seen_at, updated_at) VALUES ($1, $2, now(), now())
         ON CONFLICT (id) DO UPDATE SET first_name = $3, reachable = true, unreachable_reason = NULL, last_seen_at = now(), updated_at = now()
         RETURNING *`,
        [id, `کاربر ${i}`, `کاربر ${i % 1000}`],
      );
      await pg.query('SELECT * FROM admins WHERE user_id = $1', [id]);
      const key = `telegram:${id}:${id}`;
      await pg.query('SELECT * FROM sessions WHERE key = $1', [key]);
      if (i % 5 === 0) {
        const data = JSON.stringify({ step: 'form', page: i % 7, draft: { name: `پیش‌نویس ${i}` } });
        await pg.query(
          `INSERT INTO sessions (key, data, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (key) DO UPDATE SET data = $2, updated_at = now()`,
          [key, data],
        );
      }
      switch (i % 5) {
        case 0:
          await pg.query(
            `SELECT m.*, n.*, c.* FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id JOIN counties c ON c.id = n.county_id
             WHERE m.user_id = $1`,
            [id],
          );
          break;
        case 1:
          await pg.query(
            `SELECT * FROM ngos WHERE county_id = $1 AND status = 'APPROVED' ORDER BY submitted_at DESC, id DESC OFFSET $2 LIMIT 10`,
            [countyId, (i % 20) * 10],
          );
          await pg.query(`SELECT count(*) FROM ngos WHERE county_id = $1 AND status = 'APPROVED'`, [countyId]);
          break;
        case 2: {
          const ngos = await pg.query<{ id: number }>(
            `SELECT n.*, c.name AS county_name FROM ngos n JOIN counties c ON c.id = n.county_id
             WHERE n.status = 'PENDING' ORDER BY n.submitted_at ASC LIMIT 10`,
          );
          await pg.query('SELECT * FROM ngo_fields WHERE ngo_id = ANY($1)', [ngos.rows.map((n) => n.id)]);
          break;
        }
        case 3:
          await pg.query(
            `INSERT INTO audit_log (actor_id, action, entity_type, entity_id, details) VALUES ($1, 'bench.update', 'user', $2, $3)`,
            [id, id, JSON.stringify({ i })],
          );
          break;
        default:
          await pg.query('SELECT id, first_name, last_name FROM users WHERE id = ANY($1)', [[id, `${BigInt(id) + 1n}`, `${BigInt(id) + 2n}`, `${BigInt(id) + 3n}`]]);
      }
      if (i % 100 === 0) {
        await pg.query(
          `SELECT m.user_id, u.language FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id JOIN users u ON u.id = m.user_id
           WHERE n.status = 'APPROVED' AND n.county_id = $1`,
          [countyId],
        );
      }
    },
  };
}
