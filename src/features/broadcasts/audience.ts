/**
 * Who an announcement goes to: members of NGOs picked by county, field of activity and status, all of
 * them or only the managers. Pure rules, shared with the deadlines feature through index.ts.
 */

export const AUDIENCE_STATUSES = ['APPROVED', 'PENDING', 'SUSPENDED'] as const;
export type AudienceStatus = (typeof AUDIENCE_STATUSES)[number];
/** Approved NGOs are always in the choice; these two are added by the admin. */
export const OPTIONAL_STATUSES = ['PENDING', 'SUSPENDED'] as const satisfies readonly AudienceStatus[];

export interface Audience {
  /** Empty: every county. */
  countyIds: number[];
  /** Empty: every field of activity. */
  fieldIds: number[];
  /** NGO statuses included; approved NGOs by default. */
  statuses: AudienceStatus[];
  managersOnly: boolean;
}

export const DEFAULT_AUDIENCE: Audience = { countyIds: [], fieldIds: [], statuses: ['APPROVED'], managersOnly: false };

const isAudienceStatus = (s: unknown): s is AudienceStatus => AUDIENCE_STATUSES.some((x) => x === s);
const integers = (a: unknown): number[] => (Array.isArray(a) ? a.filter((x): x is number => Number.isInteger(x)) : []);

/** An audience read back from JSON (a database column, a session): whatever does not fit is dropped. */
export function parseAudience(value: unknown): Audience {
  const v: Record<string, unknown> = typeof value === 'object' && value !== null ? { ...value } : {};
  const statuses = Array.isArray(v.statuses) ? v.statuses.filter(isAudienceStatus) : [];
  return {
    countyIds: integers(v.countyIds),
    fieldIds: integers(v.fieldIds),
    statuses: statuses.length ? statuses : ['APPROVED'],
    managersOnly: v.managersOnly === true,
  };
}

/** Everyone in approved NGOs: what "all" means on the audience card. */
export function isDefaultAudience(a: Audience): boolean {
  return !a.countyIds.length && !a.fieldIds.length && !a.managersOnly && a.statuses.length === 1 && a.statuses[0] === 'APPROVED';
}

/** County admins speak only to the NGOs of their county, whatever the audience asked for. */
export function scopeAudience(admin: { role: string; countyId: number | null }, audience: Audience): Audience {
  if (admin.role !== 'COUNTY_ADMIN') return audience;
  return { ...audience, countyIds: [admin.countyId ?? -1] };
}

export function toggleStatus(audience: Audience, status: (typeof OPTIONAL_STATUSES)[number]): Audience {
  const statuses = audience.statuses.includes(status) ? audience.statuses.filter((x) => x !== status) : [...audience.statuses, status];
  return { ...audience, statuses };
}

export function toggleCounty(audience: Audience, id: number): Audience {
  return { ...audience, countyIds: toggled(audience.countyIds, id) };
}

export function toggleField(audience: Audience, id: number): Audience {
  return { ...audience, fieldIds: toggled(audience.fieldIds, id) };
}

const toggled = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
