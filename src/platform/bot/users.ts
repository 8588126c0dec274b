/** The people who write to the bot: who they are, which language they chose, whether we can reach them. */
import type { PrismaClient } from '../db/client.js';
import { BoundedMap } from '../bounded-map.js';
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
  /** For what the user is shown (welcome, menu); every staff action re-reads the role from the database. */
  role: 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN' | null;
  countyId: number | null;
}

/**
 * How long a user's record is trusted without writing to the database again. Each update used to cost
 * an upsert (five statements in a transaction) and a read of the admin row; a person pressing buttons
 * now costs nothing here. What is lost: last_seen_at is up to this old, and a name changed on Telegram
 * (or, with several bot processes, a language chosen through another process) shows after this long.
 */
const FRESH_MS = 30_000;
/** Enough for every active person of a province; older entries go first. */
const MAX_CACHED = 20_000;

interface Cached {
  user: KnownUser;
  /** The names as Telegram sent them: a change is written at once, not after FRESH_MS. */
  profileKey: string;
  until: number;
}

interface ContactRow {
  language: string | null;
  role: KnownUser['role'];
  county_id: number | null;
}

export function createUserService(deps: { prisma: PrismaClient; clock: Clock }) {
  const { prisma, clock } = deps;
  const cache = new BoundedMap<bigint, Cached>(MAX_CACHED);
  // Counts changes made while a record may be on its way from the database: a read that started before
  // a change is returned but not remembered, so it cannot put back an old role or language for 30 s.
  let changes = 0;
  const changed = (userId: bigint) => {
    changes++;
    cache.delete(userId);
  };

  function remember(user: KnownUser, profileKey: string): void {
    cache.set(user.id, { user, profileKey, until: Date.now() + FRESH_MS });
  }

  return {
    /**
     * Called for every update: keeps the name current, makes a user who blocked the bot and came back
     * reachable again, and returns the language and role. One statement when the record is not fresh
     * in this process, none when it is.
     */
    async recordContact(profile: TelegramProfile, options: { write?: boolean } = {}): Promise<KnownUser> {
      const id = BigInt(profile.id);
      const profileKey = `${profile.first_name}\u0000${profile.last_name ?? ''}\u0000${profile.username ?? ''}`;
      const cached = cache.get(id);
      // A copy: guards write a freshly read role into ctx.user, which must not leak into other updates.
      if (!options.write && cached && cached.profileKey === profileKey && cached.until > Date.now()) return { ...cached.user };
      const changesBefore = changes;

      // A NUL in a Telegram name made every update of that person fail (PostgreSQL 22021).
      const firstName = stripUnstorable(profile.first_name).slice(0, 128);
      const lastName = profile.last_name === undefined ? null : stripUnstorable(profile.last_name).slice(0, 128);
      const username = profile.username?.slice(0, 64) ?? null;
      const now = clock.now().toISOString();
      // Timestamps are stored as UTC without a zone (Prisma's convention), hence AT TIME ZONE 'UTC'.
      const rows = await prisma.$queryRaw<ContactRow[]>`
        INSERT INTO users (id, first_name, last_name, username, created_at, last_seen_at, updated_at)
        VALUES (${id}, ${firstName}, ${lastName}, ${username}, ${now}::timestamptz AT TIME ZONE 'UTC',
                ${now}::timestamptz AT TIME ZONE 'UTC', ${now}::timestamptz AT TIME ZONE 'UTC')
        ON CONFLICT (id) DO UPDATE SET
          first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, username = EXCLUDED.username,
          reachable = true, unreachable_reason = NULL,
          last_seen_at = EXCLUDED.last_seen_at, updated_at = EXCLUDED.updated_at
        RETURNING language,
          (SELECT a.role::text FROM admins a WHERE a.user_id = users.id) AS role,
          (SELECT a.county_id FROM admins a WHERE a.user_id = users.id) AS county_id`;
      const row = rows[0]!;
      const user: KnownUser = { id, firstName, language: row.language, role: row.role, countyId: row.county_id };
      if (changes === changesBefore) remember(user, profileKey);
      return { ...user };
    },

    async setLanguage(userId: bigint, language: Language): Promise<void> {
      await prisma.user.update({ where: { id: userId }, data: { language } });
      // Kept, with the new language: the next update needs no statement (a read in flight is not remembered).
      changes++;
      const cached = cache.get(userId);
      if (cached) cached.user = { ...cached.user, language };
    },

    async languageOf(userId: bigint): Promise<string | null> {
      const user = await prisma.user.findUnique({ where: { id: userId }, select: { language: true } });
      return user?.language ?? null;
    },

    async markUnreachable(userId: bigint, reason: string): Promise<void> {
      await prisma.user.updateMany({ where: { id: userId }, data: { reachable: false, unreachableReason: reason.slice(0, 200) } });
      // Their next update must write reachable = true again.
      changed(userId);
    },

    /** After a change made elsewhere (a role granted or removed): the next update reads the record again. */
    forget(userId: bigint): void {
      changed(userId);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
