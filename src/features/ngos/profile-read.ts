/**
 * A member's NGO as its profile card shows it (the "my NGO" menu button, pressed by every member after an
 * announcement): the NGO record, the member's role and how many people are in it, in one prepared
 * statement (platform/db/reader.ts) instead of a membership read with its relations and a count; and
 * their role alone, which /start, /help and every menu refresh ask for.
 */
import { keyedRead, perUserRows, type SqlReader } from '../../platform/db/reader.js';
import type { Membership, NgoRecord } from './rules.js';

type Row = NgoRecord & { forUser: bigint; role: Membership['role']; members: number };

const MY_NGO = keyedRead<Row>(
  'my_ngo',
  ['user_id'],
  (asked) => `SELECT m.user_id AS "forUser", m.role::text AS role, n.id, n.name, n.registration_number AS "registrationNumber", n.authority,
     n.authority_other AS "authorityOther",
     coalesce(array_agg(af.name ORDER BY af.sort_order, af.id) FILTER (WHERE af.id IS NOT NULL), '{}') AS fields,
     coalesce(array_agg(af.id ORDER BY af.sort_order, af.id) FILTER (WHERE af.id IS NOT NULL), '{}') AS "fieldIds",
     c.name AS county, n.county_id AS "countyId", n.founded_year AS "foundedYear", n.member_count AS "memberCount",
     n.manager_name AS "managerName", n.manager_phone AS "managerPhone", n.description, n.status::text AS status,
     n.status_reason AS "statusReason", n.reviewed_by AS "reviewedBy", n.submitted_at AS "submittedAt",
     n.approved_at AS "approvedAt",
     (SELECT count(*)::int FROM ngo_members mm WHERE mm.ngo_id = n.id) AS members
   FROM ngo_members m
   JOIN ngos n ON n.id = m.ngo_id
   JOIN counties c ON c.id = n.county_id
   LEFT JOIN ngo_fields nf ON nf.ngo_id = n.id
   LEFT JOIN activity_fields af ON af.id = nf.field_id
   WHERE m.user_id IN (SELECT user_id FROM ${asked} a)
   GROUP BY m.user_id, m.role, n.id, c.name`,
);

const ROLES = keyedRead<{ forUser: bigint; role: Membership['role'] }>(
  'ngo_roles',
  ['user_id'],
  (asked) => `SELECT user_id AS "forUser", role::text AS role FROM ngo_members WHERE user_id IN (SELECT user_id FROM ${asked} a)`,
);

/** A person's role in their NGO, null outside any: what /start, /help and the menu decide by (read in batches). */
export function memberRoles(sql: SqlReader): (userId: bigint) => Promise<Membership['role'] | null> {
  const rowsOf = perUserRows(sql, ROLES);
  return async (userId) => (await rowsOf(userId))[0]?.role ?? null;
}

/** The person's membership and their NGO's head count, null for someone in no NGO (read in batches). */
export function profiles(sql: SqlReader): (userId: bigint) => Promise<{ membership: Membership; memberCount: number } | null> {
  const rowsOf = perUserRows(sql, MY_NGO);
  return async (userId) => {
    const [row] = await rowsOf(userId);
    if (!row) return null;
    const { forUser: _user, role, members, ...ngo } = row;
    return { membership: { ngo, role }, memberCount: members };
  };
}
