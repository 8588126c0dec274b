/**
 * The audit trail for the office: one page of recent actions, newest first, filtered by the staff member
 * who acted, the kind of action and the NGO acted on; and the choices of those filters.
 *
 * Scope (read from the database on every call): province staff see every office action; a county admin
 * sees their own actions and the actions on NGOs of their county (an NGO's decision, edit, project
 * deadline, attendance, or a feedback item it sent with its name), nothing else: not another county's,
 * not the province's general announcements or staff changes. A row's NGO is the NGO it names (entity
 * 'ngo', or details.ngoId), the NGO of a project deadline, or the NGO of a feedback item that is not
 * anonymous: an anonymous item is tied to no NGO, so neither the NGO filter nor a county admin's
 * scope can point at its sender.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import { Prisma } from '../../platform/db/generated/client.js';
import { AppError } from '../../platform/errors.js';
import { scopedCounties, staffMember, type StaffMember } from '../staff/index.js';
import { groupFilter, MEMBER_ACTIONS, OFFICE_ACTIONS, type AuditFilter } from './rules.js';

export const AUDIT_PAGE_SIZE = 10;
/** Filter choices shown as buttons: a keyboard stays readable. */
export const ACTORS_MAX = 24;

export interface AuditEntry {
  id: bigint;
  at: Date;
  /** Null: the bot itself (a start-up grant, a job). */
  actor: { id: bigint; name: string } | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: Record<string, unknown>;
  ngo: { id: number; name: string } | null;
  /** The deadline's or course's title, for rows about one. */
  title: string | null;
  /** Names of the people the row names (its target staff member, an assignee), by user id. */
  people: Record<string, string>;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  /** True for a county admin: the list is their county's and their own. */
  countyScoped: boolean;
}

interface Row {
  id: bigint;
  actor_id: bigint | null;
  actor_name: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  details: unknown;
  created_at: Date;
  ngo_id: number | null;
  ngo_name: string | null;
}

const ID_TEXT = '^[1-9][0-9]{0,8}$';
const asInt = (type: string) => Prisma.sql`CASE WHEN a.entity_type = ${type} AND a.entity_id ~ ${ID_TEXT} THEN a.entity_id::int END`;

/** The rows the staff member may see, with each row's NGO (see the file comment), and the filters. */
function visibleRows(staff: StaffMember, filter: Partial<AuditFilter>): Prisma.Sql {
  const counties = scopedCounties(staff);
  const conditions: Prisma.Sql[] = [
    Prisma.sql`a.action <> ALL(${[...MEMBER_ACTIONS]})`,
    Prisma.sql`(a.action = ANY(${[...OFFICE_ACTIONS]}) OR a.actor_id IS NULL OR EXISTS (SELECT 1 FROM admins s WHERE s.user_id = a.actor_id))`,
  ];
  if (counties !== null) conditions.push(Prisma.sql`(a.actor_id = ${staff.userId} OR n.county_id = ANY(${counties}))`);
  if (filter.actor) conditions.push(Prisma.sql`a.actor_id = ${filter.actor}`);
  if (filter.ngo) conditions.push(Prisma.sql`n.id = ${filter.ngo}`);
  if (filter.group && filter.group !== 'a') {
    const g = groupFilter(filter.group);
    conditions.push(
      filter.group === 'o'
        ? Prisma.sql`(a.action <> ALL(${g.known}) AND NOT (a.action LIKE ANY(${g.exceptLike})))`
        : Prisma.sql`(a.action = ANY(${g.actions}) OR (a.action <> ALL(${g.known}) AND a.action LIKE ANY(${g.unknownLike})))`,
    );
  }
  return Prisma.sql`
    FROM audit_log a
    LEFT JOIN deadlines d ON d.id = (${asInt('deadline')})
    LEFT JOIN feedback_items f ON f.id = (${asInt('feedback')}) AND NOT f.anonymous
    LEFT JOIN ngos n ON n.id = COALESCE(
      ${asInt('ngo')},
      CASE WHEN jsonb_typeof(a.details -> 'ngoId') = 'number' AND (a.details ->> 'ngoId') ~ ${ID_TEXT} THEN (a.details ->> 'ngoId')::int END,
      d.ngo_id,
      f.ngo_id)
    LEFT JOIN users u ON u.id = a.actor_id
    WHERE ${Prisma.join(conditions, ' AND ')}`;
}

const nameSql = Prisma.sql`NULLIF(TRIM(CONCAT(u.first_name, ' ', COALESCE(u.last_name, ''))), '')`;

export function createAuditService(deps: { prisma: PrismaClient }) {
  const { prisma } = deps;

  /** Titles of the deadlines and courses, and names of the people, that a page's rows name. */
  async function enrich(rows: Row[]): Promise<AuditEntry[]> {
    const idsOf = (type: string) => [...new Set(rows.filter((r) => r.entity_type === type && r.entity_id && /^\d{1,9}$/.test(r.entity_id)).map((r) => Number(r.entity_id)))];
    const people = new Set<bigint>();
    for (const r of rows) {
      if (r.entity_type === 'admin' && r.entity_id && /^\d{1,15}$/.test(r.entity_id)) people.add(BigInt(r.entity_id));
      for (const key of ['to', 'from', 'invitedBy']) {
        const value = (r.details as Record<string, unknown> | null)?.[key];
        if (typeof value === 'string' && /^\d{1,15}$/.test(value)) people.add(BigInt(value));
      }
    }
    const [deadlines, courses, users] = await Promise.all([
      prisma.deadline.findMany({ where: { id: { in: idsOf('deadline') } }, select: { id: true, title: true } }),
      prisma.course.findMany({ where: { id: { in: idsOf('course') } }, select: { id: true, title: true } }),
      prisma.user.findMany({ where: { id: { in: [...people] } }, select: { id: true, firstName: true, lastName: true } }),
    ]);
    const titles = new Map<string, string>([...deadlines.map((d) => [`deadline:${d.id}`, d.title] as const), ...courses.map((c) => [`course:${c.id}`, c.title] as const)]);
    const names = Object.fromEntries(users.map((u) => [String(u.id), [u.firstName, u.lastName].filter(Boolean).join(' ')]));
    return rows.map((r) => ({
      id: r.id,
      at: r.created_at,
      actor: r.actor_id === null ? null : { id: BigInt(r.actor_id), name: r.actor_name ?? '' },
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      details: r.details && typeof r.details === 'object' && !Array.isArray(r.details) ? (r.details as Record<string, unknown>) : {},
      ngo: r.ngo_id === null ? null : { id: Number(r.ngo_id), name: r.ngo_name ?? '' },
      title: titles.get(`${r.entity_type}:${r.entity_id}`) ?? null,
      people: names,
    }));
  }

  /** An NGO the staff member may filter on: within their scope, else "not found" (its existence is not told). */
  async function scopedNgo(staff: StaffMember, ngoId: number): Promise<{ id: number; name: string }> {
    const counties = scopedCounties(staff);
    const ngo = await prisma.ngo.findFirst({ where: { id: ngoId, ...(counties === null ? {} : { countyId: { in: counties } }) }, select: { id: true, name: true } });
    if (!ngo) throw new AppError('audit.errors.ngo_not_found', { id: ngoId });
    return ngo;
  }

  return {
    /** One page of the trail, newest first (page counts from 0). */
    async page(actorId: bigint, filter: AuditFilter, page: number): Promise<AuditPage> {
      const staff = await staffMember(prisma, actorId);
      if (filter.ngo) await scopedNgo(staff, filter.ngo);
      const from = visibleRows(staff, filter);
      const [rows, counted] = await Promise.all([
        prisma.$queryRaw<Row[]>`
          SELECT a.id, a.actor_id, ${nameSql} AS actor_name, a.action, a.entity_type, a.entity_id, a.details, a.created_at, n.id AS ngo_id, n.name AS ngo_name
          ${from}
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${page * AUDIT_PAGE_SIZE}`,
        prisma.$queryRaw<{ total: bigint }[]>`SELECT COUNT(*) AS total ${from}`,
      ]);
      return { entries: await enrich(rows), total: Number(counted[0]?.total ?? 0), countyScoped: scopedCounties(staff) !== null };
    },

    /** Who acted in the rows the staff member may see, most recent first: the choices of the "by admin" filter. */
    async actors(actorId: bigint, filter: AuditFilter): Promise<{ id: bigint; name: string }[]> {
      const staff = await staffMember(prisma, actorId);
      const rows = await prisma.$queryRaw<{ actor_id: bigint; name: string | null }[]>`
        SELECT a.actor_id, MAX(${nameSql}) AS name
        ${visibleRows(staff, { ...filter, actor: 0n })} AND a.actor_id IS NOT NULL
        GROUP BY a.actor_id
        ORDER BY MAX(a.created_at) DESC
        LIMIT ${ACTORS_MAX}`;
      return rows.map((r) => ({ id: BigInt(r.actor_id), name: r.name ?? '' }));
    },

    ngoName: async (actorId: bigint, ngoId: number): Promise<string> => (await scopedNgo(await staffMember(prisma, actorId), ngoId)).name,

    /**
     * NGOs within the staff member's scope, of any status, whose name holds `query` (folded: ی/ي, ک/ك,
     * digits, spaces and ZWNJ alike) or whose number is `query`; in Persian alphabetical order.
     */
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
