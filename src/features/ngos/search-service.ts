/**
 * The one NGO search of the office: /find, and every form that asks which NGO (the NGO picker). Scoped
 * like every office view: a county admin finds only their county's NGOs (staff/scope.ts), read from the
 * database on every call.
 */
import type { Prisma } from '../../platform/db/generated/client.js';
import { AppError } from '../../platform/errors.js';
import { comparePersian } from '../../platform/text/persian-collation.js';
import { ngoScope, staffMember } from '../staff/index.js';
import type { NgoStatus } from './rules.js';
import { hitRank, parseSearchQuery, type NgoHit, type SearchQuery } from './search-rules.js';
import type { NgoDeps } from './store.js';

/**
 * More matches than this are not listed: fifty pages of buttons help nobody, and ordering them in
 * Persian alphabetical order (which the database cannot do) would hold the bot for a noticeable time.
 * The admin is asked to type more of the name.
 */
export const SEARCH_RESULTS_MAX = 400;

export interface SearchOptions {
  /** Zero-based; a page past the end (fewer matches now) gives the last one. */
  page: number;
  pageSize: number;
  /** Only NGOs in these statuses (a project is recorded for approved NGOs only); all when absent. */
  statuses?: readonly NgoStatus[];
}

export interface SearchPage {
  query: SearchQuery;
  /** How many NGOs match (within the admin's scope). */
  total: number;
  /** True when more than SEARCH_RESULTS_MAX match: no items are listed. */
  tooMany: boolean;
  page: number;
  pages: number;
  items: NgoHit[];
}

function matching(query: SearchQuery): Prisma.NgoWhereInput {
  if (query.kind === 'number') return { OR: [...(query.id !== null ? [{ id: query.id }] : []), { registrationNumber: query.registrationNumber }] };
  return { AND: query.words.map((word) => ({ nameKey: { contains: word } })) };
}

export function createSearchService({ prisma }: NgoDeps) {
  return {
    /**
     * NGOs by part of their name (each word typed, in any order, folded as search-rules.ts folds) or by
     * tracking or registration number; in the order of hitRank, then Persian alphabetical order.
     */
    async search(adminId: bigint, text: string, options: SearchOptions): Promise<SearchPage> {
      const staff = await staffMember(prisma, adminId);
      const parsed = parseSearchQuery(text);
      if (!parsed.ok) throw new AppError(`ngo.search.${parsed.error}`);
      const query = parsed.value;
      const where: Prisma.NgoWhereInput = {
        AND: [ngoScope(staff), options.statuses ? { status: { in: [...options.statuses] } } : {}, matching(query)],
      };
      const rows = await prisma.ngo.findMany({
        where,
        select: { id: true, name: true, nameKey: true, status: true, registrationNumber: true, county: { select: { name: true } } },
        take: SEARCH_RESULTS_MAX + 1,
      });
      if (rows.length > SEARCH_RESULTS_MAX) {
        return { query, total: await prisma.ngo.count({ where }), tooMany: true, page: 0, pages: 0, items: [] };
      }
      const ranked = rows
        .map((r) => ({ hit: { id: r.id, name: r.name, county: r.county.name, status: r.status, registrationNumber: r.registrationNumber }, rank: hitRank({ ...r, nameKey: r.nameKey ?? '' }, query) }))
        .sort((a, b) => a.rank - b.rank || comparePersian(a.hit.name, b.hit.name) || a.hit.id - b.hit.id);
      const pages = Math.ceil(ranked.length / options.pageSize);
      const page = Math.max(0, Math.min(options.page, pages - 1));
      const first = page * options.pageSize;
      return { query, total: ranked.length, tooMany: false, page, pages, items: ranked.slice(first, first + options.pageSize).map((r) => r.hit) };
    },
  };
}
