/**
 * The life of an NGO in the system: registration by its manager, review by the office, members who
 * join through the manager's invite link, profile edits; the office's search and management of NGOs.
 * Everything an NGO later receives (courses, announcements, deadlines) goes to approved NGOs only, so
 * these rules keep the data clean.
 *
 * Use cases return data or throw AppError; the text of what they queue comes from notices.ts.
 */
import { createManageService } from './manage-service.js';
import { createMembershipService } from './membership-service.js';
import { createRegistrationService } from './registration-service.js';
import { createReviewService } from './review-service.js';
import { commandsNotFor } from './rules.js';
import { createSearchService } from './search-service.js';
import { memberRoles, profiles } from './profile-read.js';
import { createNgoStore, type NgoDeps } from './store.js';

export type { Membership, NgoRecord, RegistrationDraft, EditableField } from './rules.js';
export type { NgoDeps } from './store.js';

export function createNgoService(deps: NgoDeps) {
  const store = createNgoStore(deps);
  const roleOf = memberRoles(deps.sql);
  const profileOf = profiles(deps.sql);
  return {
    loadNgo: (id: number) => store.loadNgo(id),
    membershipOf: store.membershipOf,
    /** The person's NGO as their profile card shows it, with its head count; null outside any NGO. */
    profileOf,
    /** The commands that do not fit the person's place (see commandsNotFor), and whether they have an NGO. */
    async commandPlace(userId: bigint): Promise<{ hide: readonly string[]; inNgo: boolean }> {
      // Only the role: asked on /start, /help and every menu refresh, it needs nothing of the NGO itself.
      const role = await roleOf(userId);
      return { hide: commandsNotFor(role), inNgo: role !== null };
    },
    ...createRegistrationService(deps, store),
    ...createReviewService(deps, store),
    ...createMembershipService(deps, store),
    ...createSearchService(deps),
    ...createManageService(deps, store),
  };
}

export type NgoService = ReturnType<typeof createNgoService>;
