/** The people who write to the bot: who they are, which language they chose, whether we can reach them. */
import type { PrismaClient } from '../db/client.js';
import type { Clock } from '../text/clock.js';
import { stripUnstorable } from '../text/persian-text.js';
import type { Language } from '../i18n/index.js';

export interface TelegramProfile {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface KnownUser {
  id: bigint;
  firstName: string;
  language: string | null;
  role: 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN' | null;
  countyId: number | null;
}

export function createUserService(deps: { prisma: PrismaClient; clock: Clock }) {
  const { prisma, clock } = deps;
  return {
    /**
     * Called for every update: keeps the name current and makes a user who blocked the bot and came
     * back reachable again. One upsert, and the role in the same round trip.
     */
    async recordContact(profile: TelegramProfile): Promise<KnownUser> {
      const now = clock.now();
      const names = {
        // A NUL in a Telegram name made every update of that person fail (PostgreSQL 22021).
        firstName: stripUnstorable(profile.first_name).slice(0, 128),
        lastName: profile.last_name === undefined ? null : stripUnstorable(profile.last_name).slice(0, 128),
        username: profile.username?.slice(0, 64) ?? null,
      };
      const user = await prisma.user.upsert({
        where: { id: BigInt(profile.id) },
        create: { id: BigInt(profile.id), ...names, lastSeenAt: now },
        update: { ...names, reachable: true, unreachableReason: null, lastSeenAt: now },
        include: { admin: true },
      });
      return {
        id: user.id,
        firstName: user.firstName,
        language: user.language,
        role: user.admin?.role ?? null,
        countyId: user.admin?.countyId ?? null,
      };
    },

    async setLanguage(userId: bigint, language: Language): Promise<void> {
      await prisma.user.update({ where: { id: userId }, data: { language } });
    },

    async languageOf(userId: bigint): Promise<string | null> {
      const user = await prisma.user.findUnique({ where: { id: userId }, select: { language: true } });
      return user?.language ?? null;
    },

    async markUnreachable(userId: bigint, reason: string): Promise<void> {
      await prisma.user.updateMany({ where: { id: userId }, data: { reachable: false, unreachableReason: reason.slice(0, 200) } });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
