/**
 * Who may act for the office. Roles are read from the database on every admin action, never from a
 * cached session, so removing an admin takes effect at their next tap (invariant 4). Managing the staff
 * (list, add, change a role, remove, invite) is for super admins only; every change is audited in the
 * same transaction, the person concerned is told through the outbox, and the bot's cached role of that
 * person is dropped (onRoleChanged).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { AdminRole } from '../../platform/db/generated/enums.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { foldForCompare } from '../../platform/text/index.js';
import { type Language, type Translator, languageOr } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import type { Clock } from '../../platform/text/clock.js';
import { roleChangedNotice, youWereAdded, youWereRemoved } from './notices.js';
import { isStaffPlacement, leavesNoSuperAdmin, type Placement } from './rules.js';
import { activeCounty, adminInclude, adminView, fullName, lockedSuperAdmins, requireSuperAdmin, type AdminView } from './store.js';
import { createInviteService } from './invites-service.js';

export type { AdminView } from './store.js';

export interface AdminDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  /** The bot keeps each user's role for a few seconds (for what they are shown): told of every change. */
  onRoleChanged?: (userId: bigint) => void;
}

export function createAdminService(deps: AdminDeps) {
  const { prisma, outbox, translator } = deps;
  const roleChanged = (userId: bigint) => deps.onRoleChanged?.(userId);

  async function roleOf(userId: bigint): Promise<AdminRole | null> {
    const admin = await prisma.admin.findUnique({ where: { userId }, select: { role: true } });
    return admin?.role ?? null;
  }

  /** The staff member a super admin acts on, or AppError when they are no longer staff. */
  async function targetAdmin(targetId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: targetId }, include: adminInclude });
    if (!admin) throw new AppError('admin.not_found');
    return admin;
  }

  /** Typed county names are compared folded: "قلعه گنج" typed with a space finds "قلعه‌گنج" written with a ZWNJ. */
  async function countyByName(name: string): Promise<{ id: number; name: string }> {
    const counties = await prisma.county.findMany({ where: { active: true }, select: { id: true, name: true } });
    const county = counties.find((c) => foldForCompare(c.name) === foldForCompare(name));
    if (!county) throw new AppError('admin.unknown_county', { county: name });
    return county;
  }

  return {
    roleOf,
    ...createInviteService(deps),

    /** Before a screen that only leads to staff changes: refused for anyone but a super admin. */
    requireSuperAdmin: (actorId: bigint) => requireSuperAdmin(prisma, actorId),

    /** Every staff member's chat and language: each gets the staff command menu at start-up. */
    async staffLanguages(): Promise<{ chatId: bigint; lang: Language }[]> {
      const admins = await prisma.admin.findMany({ select: { userId: true, user: { select: { language: true } } } });
      return admins.map((a) => ({ chatId: a.userId, lang: languageOr(a.user.language) }));
    },

    /** Admins named in ADMIN_IDS become super admins at start, even before they first write to the bot: the only way to SUPER_ADMIN. */
    async ensureSuperAdmins(ids: readonly bigint[]): Promise<void> {
      for (const id of ids) {
        await prisma.user.upsert({ where: { id }, create: { id, firstName: String(id) }, update: {} });
        const existing = await prisma.admin.findUnique({ where: { userId: id } });
        if (existing?.role === 'SUPER_ADMIN') continue;
        await prisma.admin.upsert({
          where: { userId: id },
          create: { userId: id, role: 'SUPER_ADMIN' },
          update: { role: 'SUPER_ADMIN', countyId: null },
        });
        await recordAudit(prisma, { actorId: null, action: 'admin.granted_from_config', entityType: 'admin', entityId: String(id) });
      }
    },

    /** The staff with their roles and counties: names and Telegram ids are for super admins only. */
    async listAdmins(actorId: bigint): Promise<AdminView[]> {
      await requireSuperAdmin(prisma, actorId);
      const admins = await prisma.admin.findMany({ include: adminInclude, orderBy: [{ role: 'asc' }, { createdAt: 'asc' }, { userId: 'asc' }] });
      return admins.map(adminView);
    },

    /** One staff member, for their buttons (change role, remove). */
    async adminCard(actorId: bigint, targetId: bigint): Promise<AdminView> {
      await requireSuperAdmin(prisma, actorId);
      return adminView(await targetAdmin(targetId));
    },

    /** /add_admin: someone who has started the bot becomes (or moves to) province or county staff. */
    async addAdmin(actorId: bigint, input: { targetId: bigint; role: 'PROVINCE_ADMIN' | 'COUNTY_ADMIN'; countyName?: string }): Promise<AdminView> {
      await requireSuperAdmin(prisma, actorId);
      const target = await prisma.user.findUnique({ where: { id: input.targetId } });
      if (!target) throw new AppError('admin.unknown_user');
      const county = input.role === 'COUNTY_ADMIN' ? await countyByName(input.countyName ?? '') : null;
      await prisma.$transaction(async (tx) => {
        const before = await tx.admin.findUnique({ where: { userId: target.id }, include: { county: true } });
        if (before?.role === 'SUPER_ADMIN' && leavesNoSuperAdmin(await lockedSuperAdmins(tx), target.id)) throw new AppError('admin.last_super_admin');
        await tx.admin.upsert({
          where: { userId: target.id },
          create: { userId: target.id, role: input.role, countyId: county?.id ?? null, createdBy: actorId },
          update: { role: input.role, countyId: county?.id ?? null },
        });
        const from = before ? { fromRole: before.role, fromCounty: before.county?.name ?? null } : {};
        const details = { role: input.role, county: county?.name ?? null, ...from };
        await recordAudit(tx, { actorId, action: 'admin.added', entityType: 'admin', entityId: String(target.id), details });
        const payload = youWereAdded(translator, languageOr(target.language), input.role, county?.name ?? null);
        await outbox.enqueue({ payload, recipients: [target.id], createdBy: actorId, source: { type: 'admin', id: String(target.id) } }, tx);
      });
      roleChanged(target.id);
      return { userId: target.id, name: fullName(target), role: input.role, county: county?.name ?? null };
    },

    /**
     * Province staff <-> county staff (or another county); a super admin may be given a staff role too,
     * unless they are the last one. SUPER_ADMIN itself is never given here: only ADMIN_IDS makes one.
     */
    async changeRole(actorId: bigint, targetId: bigint, placement: Placement): Promise<AdminView> {
      await requireSuperAdmin(prisma, actorId);
      if (!isStaffPlacement(placement)) throw new AppError('admin.not_a_staff_role');
      const before = await targetAdmin(targetId);
      const county = placement.role === 'COUNTY_ADMIN' ? await activeCounty(prisma, placement.countyId) : null;
      if (before.role === placement.role && before.countyId === (county?.id ?? null)) throw new AppError('admin.role_unchanged');
      await prisma.$transaction(async (tx) => {
        if (before.role === 'SUPER_ADMIN' && leavesNoSuperAdmin(await lockedSuperAdmins(tx), targetId)) throw new AppError('admin.last_super_admin');
        // Conditional: a second press on an old button, or another super admin's change meanwhile, changes nothing.
        const { count } = await tx.admin.updateMany({
          where: { userId: targetId, role: before.role, countyId: before.countyId },
          data: { role: placement.role, countyId: county?.id ?? null },
        });
        if (count === 0) throw new AppError('admin.changed_meanwhile');
        const details = { fromRole: before.role, fromCounty: before.county?.name ?? null, role: placement.role, county: county?.name ?? null };
        await recordAudit(tx, { actorId, action: 'admin.role_changed', entityType: 'admin', entityId: String(targetId), details });
        const payload = roleChangedNotice(translator, languageOr(before.user.language), placement.role, county?.name ?? null);
        await outbox.enqueue({ payload, recipients: [targetId], createdBy: actorId, source: { type: 'admin', id: String(targetId) } }, tx);
      });
      roleChanged(targetId);
      return { userId: targetId, name: fullName(before.user), role: placement.role, county: county?.name ?? null };
    },

    /** Removes a staff member (a super admin may remove themselves, unless they are the last one). */
    async removeAdmin(actorId: bigint, targetId: bigint): Promise<AdminView> {
      await requireSuperAdmin(prisma, actorId);
      const admin = await targetAdmin(targetId);
      await prisma.$transaction(async (tx) => {
        if (admin.role === 'SUPER_ADMIN' && leavesNoSuperAdmin(await lockedSuperAdmins(tx), targetId)) throw new AppError('admin.last_super_admin');
        const { count } = await tx.admin.deleteMany({ where: { userId: targetId } });
        if (count === 0) throw new AppError('admin.not_found');
        const details = { role: admin.role, county: admin.county?.name ?? null };
        await recordAudit(tx, { actorId, action: 'admin.removed', entityType: 'admin', entityId: String(targetId), details });
        if (targetId !== actorId) {
          const payload = youWereRemoved(translator, languageOr(admin.user.language));
          await outbox.enqueue({ payload, recipients: [targetId], createdBy: actorId, source: { type: 'admin', id: String(targetId) } }, tx);
        }
      });
      roleChanged(targetId);
      return adminView(admin);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
