/**
 * Who may act for the office. Roles are read from the database on every admin action, never from a
 * cached session, so removing an admin takes effect at their next tap (invariant 4).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { AdminRole } from '../../platform/db/generated/enums.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { foldForCompare } from '../../platform/text/index.js';
import { type Language, type Translator, languageOr } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { youWereAdded } from './notices.js';

export interface AdminView {
  userId: bigint;
  name: string;
  role: AdminRole;
  county: string | null;
}

export function createAdminService(deps: {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  /** The bot keeps each user's role for a few seconds (for what they are shown): told of every change. */
  onRoleChanged?: (userId: bigint) => void;
}) {
  const { prisma, outbox, translator } = deps;

  async function roleOf(userId: bigint): Promise<AdminRole | null> {
    const admin = await prisma.admin.findUnique({ where: { userId }, select: { role: true } });
    return admin?.role ?? null;
  }

  async function assertSuperAdmin(actorId: bigint): Promise<void> {
    const role = await roleOf(actorId);
    if (role === null) throw new AppError('common.errors.not_admin');
    if (role !== 'SUPER_ADMIN') throw new AppError('admin.only_super');
  }

  return {
    roleOf,

    /** Every staff member's chat and language: each gets the staff command menu at start-up. */
    async staffLanguages(): Promise<{ chatId: bigint; lang: Language }[]> {
      const admins = await prisma.admin.findMany({ select: { userId: true, user: { select: { language: true } } } });
      return admins.map((a) => ({ chatId: a.userId, lang: languageOr(a.user.language) }));
    },

    /** Admins named in ADMIN_IDS become super admins at start, even before they first write to the bot. */
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

    async listAdmins(actorId: bigint): Promise<AdminView[]> {
      if ((await roleOf(actorId)) === null) throw new AppError('common.errors.not_admin');
      const admins = await prisma.admin.findMany({
        include: { user: true, county: true },
        orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
      });
      return admins.map((a) => ({
        userId: a.userId,
        name: [a.user.firstName, a.user.lastName].filter(Boolean).join(' '),
        role: a.role,
        county: a.county?.name ?? null,
      }));
    },

    async addAdmin(actorId: bigint, input: { targetId: bigint; role: 'PROVINCE_ADMIN' | 'COUNTY_ADMIN'; countyName?: string }): Promise<AdminView> {
      await assertSuperAdmin(actorId);
      const target = await prisma.user.findUnique({ where: { id: input.targetId } });
      if (!target) throw new AppError('admin.unknown_user');
      let county: { id: number; name: string } | null = null;
      if (input.role === 'COUNTY_ADMIN') {
        const name = input.countyName ?? '';
        // Compared folded: "قلعه گنج" typed with a space finds "قلعه‌گنج" written with a ZWNJ.
        const counties = await prisma.county.findMany({ where: { active: true }, select: { id: true, name: true } });
        county = counties.find((c) => foldForCompare(c.name) === foldForCompare(name)) ?? null;
        if (!county) throw new AppError('admin.unknown_county', { county: name });
      }
      const lang = languageOr(target.language);
      await prisma.$transaction(async (tx) => {
        await tx.admin.upsert({
          where: { userId: target.id },
          create: { userId: target.id, role: input.role, countyId: county?.id ?? null, createdBy: actorId },
          update: { role: input.role, countyId: county?.id ?? null },
        });
        await recordAudit(tx, {
          actorId,
          action: 'admin.added',
          entityType: 'admin',
          entityId: String(target.id),
          details: { role: input.role, county: county?.name ?? null },
        });
        await outbox.enqueue(
          {
            payload: youWereAdded(translator, lang, input.role, county?.name ?? null),
            recipients: [target.id],
            createdBy: actorId,
            source: { type: 'admin', id: String(target.id) },
          },
          tx,
        );
      });
      deps.onRoleChanged?.(target.id);
      return { userId: target.id, name: target.firstName, role: input.role, county: county?.name ?? null };
    },

    async removeAdmin(actorId: bigint, targetId: bigint): Promise<AdminView> {
      await assertSuperAdmin(actorId);
      if (actorId === targetId) throw new AppError('admin.cannot_remove_self');
      const admin = await prisma.admin.findUnique({ where: { userId: targetId }, include: { user: true, county: true } });
      if (!admin) throw new AppError('admin.not_found');
      await prisma.$transaction(async (tx) => {
        await tx.admin.delete({ where: { userId: targetId } });
        await recordAudit(tx, { actorId, action: 'admin.removed', entityType: 'admin', entityId: String(targetId), details: { role: admin.role } });
      });
      deps.onRoleChanged?.(targetId);
      return { userId: targetId, name: admin.user.firstName, role: admin.role, county: admin.county?.name ?? null };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
