/**
 * The people of an NGO: the manager's invite link, joining through it, the member list, the manager
 * removing a member and a member leaving. One NGO per person; the manager cannot leave their own NGO.
 */
import { languageOr } from '../../platform/i18n/index.js';
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { memberJoinedNotice, memberRemovedNotice, type MemberView } from './notices.js';
import type { NgoRecord } from './rules.js';
import { isUniqueViolation, ngoInclude, toRecord, type NgoDeps, type NgoStore } from './store.js';
import { officeContactParams } from '../staff/index.js';

/** The membership use cases; each method is short, the factory is as long as they are together. */
export function createMembershipService(deps: NgoDeps, store: NgoStore) {
  const { prisma, outbox, translator, clock } = deps;
  const newToken = () => randomBytes(12).toString('base64url');

  return {
    /** The manager's invite token, made on first use. */
    async inviteToken(managerId: bigint): Promise<string> {
      const { ngo } = await store.requireManager(managerId);
      const current = await prisma.ngo.findUnique({ where: { id: ngo.id }, select: { inviteToken: true } });
      if (current?.inviteToken) return current.inviteToken;
      // Two first requests at once agree on one token: only the first write lands.
      await prisma.ngo.updateMany({ where: { id: ngo.id, inviteToken: null }, data: { inviteToken: newToken() } });
      return (await prisma.ngo.findUnique({ where: { id: ngo.id }, select: { inviteToken: true } }))!.inviteToken!;
    },

    /** A new token: links already shared stop working. */
    async revokeInvite(managerId: bigint): Promise<string> {
      const { ngo } = await store.requireManager(managerId);
      const token = newToken();
      await prisma.ngo.update({ where: { id: ngo.id }, data: { inviteToken: token } });
      await recordAudit(prisma, { actorId: managerId, action: 'ngo.invite_revoked', entityType: 'ngo', entityId: String(ngo.id) });
      return token;
    },

    async joinByInvite(userId: bigint, token: string): Promise<NgoRecord> {
      const ngo = await prisma.ngo.findUnique({ where: { inviteToken: token }, include: ngoInclude });
      if (!ngo || ngo.status === 'REJECTED' || ngo.status === 'SUSPENDED') throw new AppError('ngo.membership.invalid_invite');
      const existing = await prisma.ngoMember.findUnique({ where: { userId } });
      if (existing?.ngoId === ngo.id) throw new AppError('ngo.membership.already_in_this', { name: ngo.name });
      if (existing) throw new AppError('ngo.errors.already_member');
      try {
        await prisma.$transaction(async (tx) => {
          await tx.ngoMember.create({ data: { userId, ngoId: ngo.id, role: 'MEMBER', joinedAt: clock.now() } });
          await recordAudit(tx, { actorId: userId, action: 'ngo.member_joined', entityType: 'ngo', entityId: String(ngo.id) });
          const joined = await tx.user.findUnique({ where: { id: userId } });
          const key = `ngo-joined:${ngo.id}:${userId}:${clock.now().getTime()}`;
          await store.notifyManager(ngo.id, (lang) => memberJoinedNotice(translator, lang, joined?.firstName ?? ''), key, tx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ngo.errors.already_member');
        throw err;
      }
      return toRecord(ngo);
    },

    /** The manager first, then members in the order they joined. */
    async listMembers(managerId: bigint): Promise<MemberView[]> {
      const { ngo } = await store.requireManager(managerId);
      return store.membersOf(ngo.id);
    },

    /** Returns the removed member's first name; they are told through the outbox. */
    async removeMember(managerId: bigint, memberId: bigint): Promise<string> {
      const { ngo } = await store.requireManager(managerId);
      if (memberId === managerId) throw new AppError('ngo.membership.manager_cannot_leave', officeContactParams());
      const member = await prisma.ngoMember.findUnique({ where: { userId: memberId }, include: { user: true } });
      if (!member || member.ngoId !== ngo.id) throw new AppError('ngo.membership.not_a_member');
      const lang = languageOr(member.user.language);
      await prisma.$transaction(async (tx) => {
        await tx.ngoMember.deleteMany({ where: { userId: memberId, ngoId: ngo.id } });
        await recordAudit(tx, { actorId: managerId, action: 'ngo.member_removed', entityType: 'ngo', entityId: String(ngo.id), details: { member: String(memberId) } });
        await outbox.enqueue(
          {
            payload: memberRemovedNotice(translator, lang, ngo.name),
            recipients: [memberId],
            dedupeKey: `ngo-removed:${ngo.id}:${memberId}:${clock.now().getTime()}`,
          },
          tx,
        );
      });
      return member.user.firstName;
    },

    async leave(userId: bigint): Promise<NgoRecord> {
      const membership = await store.membershipOf(userId);
      if (!membership) throw new AppError('ngo.errors.no_ngo');
      if (membership.role === 'MANAGER') throw new AppError('ngo.membership.manager_cannot_leave', officeContactParams());
      await prisma.$transaction(async (tx) => {
        await tx.ngoMember.deleteMany({ where: { userId, ngoId: membership.ngo.id } });
        await recordAudit(tx, { actorId: userId, action: 'ngo.member_left', entityType: 'ngo', entityId: String(membership.ngo.id) });
      });
      return membership.ngo;
    },
  };
}
