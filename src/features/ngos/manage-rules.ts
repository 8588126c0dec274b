/**
 * The office's management of an NGO's record: which NGOs staff may edit, the version a button was drawn
 * for (so a button under an NGO changed since does nothing), and what an edit changed, item by item, as
 * the audit row keeps it (old and new value).
 */
import { authorityKey, type Authority, type NgoRecord, type NgoStatus } from './rules.js';

/**
 * Staff correct the record of an NGO that is working with the office (approved or suspended). A
 * registration under review or rejected is the manager's to correct: the review decides on what they sent.
 */
export const STAFF_EDITABLE: readonly NgoStatus[] = ['APPROVED', 'SUSPENDED'];

/** The items of an NGO's record, named as the summary's keys (ngo.summary.<item>). */
export const RECORD_ITEMS = [
  'name',
  'registration_number',
  'authority',
  'fields',
  'county',
  'founded_year',
  'member_count',
  'manager_name',
  'manager_phone',
  'description',
] as const;
export type RecordItem = (typeof RECORD_ITEMS)[number];

/** The version of an NGO a button names: its last change, to the millisecond, in base 36. */
export function recordVersion(updatedAt: Date): string {
  return updatedAt.getTime().toString(36);
}

/** The instant a version names, or null for one that is not a version (forged). */
export function versionTime(version: string): Date | null {
  const ms = parseInt(version, 36);
  return /^[0-9a-z]{1,12}$/.test(version) && Number.isSafeInteger(ms) ? new Date(ms) : null;
}

/** An item's value as the audit row keeps it: what was stored, with names rather than ids. */
export function itemValue(ngo: NgoRecord, item: RecordItem): unknown {
  switch (item) {
    case 'name':
      return ngo.name;
    case 'registration_number':
      return ngo.registrationNumber;
    case 'authority':
      return authorityKey(ngo.authority as Authority, ngo.authorityOther);
    case 'fields':
      return ngo.fields;
    case 'county':
      return ngo.county;
    case 'founded_year':
      return ngo.foundedYear ?? null;
    case 'member_count':
      return ngo.memberCount ?? null;
    case 'manager_name':
      return ngo.managerName;
    case 'manager_phone':
      return ngo.managerPhone;
    case 'description':
      return ngo.description ?? null;
  }
}

export interface ItemChange {
  item: RecordItem;
  from: unknown;
  to: unknown;
}

/** The items whose value differs between two states of one record, in the record's order. */
export function recordChanges(before: NgoRecord, after: NgoRecord): ItemChange[] {
  return RECORD_ITEMS.flatMap((item) => {
    const from = itemValue(before, item);
    const to = itemValue(after, item);
    return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ item, from, to }];
  });
}
