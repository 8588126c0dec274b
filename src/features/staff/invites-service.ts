/**
 * Staff invites: a super admin makes a link for a province or county staff member; whoever opens it
 * first becomes that staff member. The link carries a random token; only its SHA-256 is stored, so the
 * table alone cannot be turned into working links. An invite is used once, expires after
 * INVITE_TTL_HOURS and can be revoked; an expired, used, revoked or forged one changes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { languageOr } from '../../platform/i18n/index.js';
import { inviteAcceptedNotice } from './notices.js';
import { INVITE_TOKEN_LENGTH, INVITE_TTL_HOURS, inviteProblem, isStaffPlacement, type Placement } from './rules.js';
import { activeCounty, fullName, requireSuperAdmin, type AdminView } from './store.js';
import type { AdminDeps } from './service.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface InviteView {
  id: number;
  role: 'PROVINCE_ADMIN' | 'COUNTY_ADMIN';
  county: string | null;
  expiresAt: Date;
}

/** The invites still waiting to be opened, newest first; a list of a message's length. */
const OPEN_INVITES_MAX = 20;

export function createInviteService(deps: AdminDeps) {
  const { prisma, outbox, translator, clock } = deps;

  const inviteView = (row: { id: number; role: string; county: { name: string } | null; expiresAt: Date }): InviteView => ({
    id: row.id,
    role: row.role === 'COUNTY_ADMIN' ? 'COUNTY_ADMIN' : 'PROVINCE_ADMIN',
    county: row.county?.name ?? null,
    expiresAt: row.expiresAt,
  });

  return {
    /** A new invite; the token is returned once, for the link, and never stored. */
    async createInvite(actorId: bigint, placement: Placement): Promise<InviteView & { token: string }> {
      await requireSuperAdmin(prisma, actorId);
      // SUPER_ADMIN comes only from ADMIN_IDS, never through a link.
      if (!isStaffPlacement(placement)) throw new AppError('admin.not_a_staff_role');
      const county = placement.role === 'COUNTY_ADMIN' ? await activeCounty(prisma, placement.countyId) : null;
      const token = randomBytes(24).toString('base64url');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + INVITE_TTL_HOURS * 3_600_000);
      return prisma.$transaction(async (tx) => {
        const invite = await tx.staffInvite.create({
          data: { tokenHash: hashOf(token), role: placement.role, countyId: county?.id ?? null, createdBy: actorId, createdAt: now, expiresAt },
          include: { county: true },
        });
        const details = { role: placement.role, county: county?.name ?? null, expiresAt: expiresAt.toISOString() };
        await recordAudit(tx, { actorId, action: 'staff.invite_created', entityType: 'staff_invite', entityId: String(invite.id), details });
        return { ...inviteView(invite), token };
      });
    },

    async openInvites(actorId: bigint): Promise<InviteView[]> {
      await requireSuperAdmin(prisma, actorId);
      const rows = await prisma.staffInvite.findMany({
        where: { usedAt: null, revokedAt: null, expiresAt: { gt: clock.now() } },
        include: { county: true },
        orderBy: { id: 'desc' },
        take: OPEN_INVITES_MAX,
      });
      return rows.map(inviteView);
    },

    /** The link stops working; revoking one already used, revoked or expired is refused and changes nothing. */
    async revokeInvite(actorId: bigint, inviteId: number): Promise<InviteView> {
      await requireSuperAdmin(prisma, actorId);
      const now = clock.now();
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.staffInvite.updateMany({
          where: { id: inviteId, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
          data: { revokedAt: now },
        });
        if (count === 0) throw new AppError('admin.invite.not_open');
        await recordAudit(tx, { actorId, action: 'staff.invite_revoked', entityType: 'staff_invite', entityId: String(inviteId) });
        return inviteView(await tx.staffInvite.findUniqueOrThrow({ where: { id: inviteId }, include: { county: true } }));
      });
    },

    /**
     * The person who opened the link becomes staff with the invite's role; its maker is told. Someone
     * already on the staff keeps their role (a super admin changes it from /admins) and the invite stays open.
     */
    async acceptInvite(userId: bigint, token: string): Promise<AdminView> {
      const found = token.length === INVITE_TOKEN_LENGTH ? await prisma.staffInvite.findUnique({ where: { tokenHash: hashOf(token) }, include: { county: true } }) : null;
      const now = clock.now();
      const problem = inviteProblem(found, now);
      if (problem || !found) throw new AppError(`admin.invite.link_${problem ?? 'invalid'}`);
      if (await prisma.admin.findUnique({ where: { userId } })) throw new AppError('admin.invite.already_staff');
      const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
      const view = inviteView(found);
      await prisma.$transaction(async (tx) => {
        // Conditional: two people opening one link at once, or a revoke meanwhile, let at most one in.
        const { count } = await tx.staffInvite.updateMany({
          where: { id: found.id, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
          data: { usedBy: userId, usedAt: now },
        });
        if (count === 0) throw new AppError('admin.invite.link_used');
        await tx.admin.create({ data: { userId, role: view.role, countyId: found.countyId, createdBy: found.createdBy, createdAt: now } });
        const details = { role: view.role, county: view.county, inviteId: found.id, invitedBy: String(found.createdBy) };
        await recordAudit(tx, { actorId: userId, action: 'staff.invite_accepted', entityType: 'admin', entityId: String(userId), details });
        const inviter = await tx.user.findUnique({ where: { id: found.createdBy }, select: { language: true } });
        const payload = inviteAcceptedNotice(translator, languageOr(inviter?.language), fullName(user), view.role, view.county);
        await outbox.enqueue({ payload, recipients: [found.createdBy], source: { type: 'admin', id: String(userId) } }, tx);
      });
      deps.onRoleChanged?.(userId);
      return { userId, name: fullName(user), role: view.role, county: view.county };
    },
  };
}
