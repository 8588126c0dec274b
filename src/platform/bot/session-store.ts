/**
 * Where half-filled forms live between messages: Redis when configured (shared by every process),
 * otherwise the database, so a restart of a single-process bot loses no form either.
 * An unchanged session is not written back: most updates do not touch it. The database store also
 * remembers what it read and wrote, so a person pressing buttons costs no query: without Redis there
 * is one bot process, and it is the only writer of its sessions.
 */
import type { PrismaClient } from '../db/client.js';
import { sqlRead, type SqlReader } from '../db/reader.js';
import { BoundedMap } from '../bounded-map.js';
import { stripUnstorable } from '../text/persian-text.js';
import type { KeyValueStore } from '../kv/kv.js';
import type { SessionData } from './context.js';

export interface SessionStore {
  get(key: string): Promise<SessionData | undefined>;
  set(key: string, value: SessionData): Promise<void>;
  delete(key: string): Promise<void>;
}

interface RawStore {
  read(key: string): Promise<string | undefined>;
  write(key: string, json: string): Promise<void>;
  remove(key: string): Promise<void>;
}

function skippingUnchanged(raw: RawStore): SessionStore {
  const lastSeen = new Map<string, string>();
  return {
    async get(key) {
      const json = await raw.read(key);
      if (json === undefined) return undefined;
      // Telegraf writes a session back only when a handler touched it; keep this map from growing
      // with the keys of sessions that were only read.
      if (lastSeen.size > 10_000) lastSeen.clear();
      lastSeen.set(key, json);
      return JSON.parse(json) as SessionData;
    },
    async set(key, value) {
      // jsonb refuses \u0000: a NUL that reached a form's data would lose the whole form's progress.
      const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? stripUnstorable(v) : v));
      const previous = lastSeen.get(key);
      lastSeen.delete(key);
      if (json === previous || (previous === undefined && json === '{}')) return;
      await raw.write(key, json);
    },
    async delete(key) {
      lastSeen.delete(key);
      await raw.remove(key);
    },
  };
}

/** Sessions of this many people are kept in memory; the least recently used are read again when needed. */
const CACHED_SESSIONS = 10_000;

/**
 * $1 the key, $2 the form's progress (JSON), $3 when it expires, $4 now: one prepared statement, as Prisma's
 * upsert cost the embedded database's bot a tenth of its CPU in bench:updates (issue 12); a server without Redis
 * keeps its sessions here too.
 */
const SAVE_SESSION = sqlRead<{ key: string }>(
  'session_save',
  `INSERT INTO sessions (key, data, expires_at, updated_at) VALUES ($1, $2::jsonb, $3, $4)
   ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
   RETURNING key`,
);

export function createDatabaseSessionStore(prisma: PrismaClient, sql: SqlReader, ttlMs: number, now: () => Date): SessionStore {
  // What the row holds (undefined: no row) and when it expires (null: never), per key.
  const known = new BoundedMap<string, { json: string | undefined; expiresAt: number | null }>(CACHED_SESSIONS);
  // Writes so far: a read that was on its way while any key was written is not remembered.
  let writes = 0;
  const remember = (key: string, json: string | undefined, expiresAt: number | null) => void known.set(key, { json, expiresAt });
  return skippingUnchanged({
    async read(key) {
      let entry = known.get(key);
      if (!entry) {
        const writesBefore = writes;
        const row = await prisma.session.findUnique({ where: { key } });
        entry = { json: row ? JSON.stringify(row.data) : undefined, expiresAt: row?.expiresAt?.getTime() ?? null };
        if (writes === writesBefore) remember(key, entry.json, entry.expiresAt);
      }
      if (entry.expiresAt !== null && entry.expiresAt < now().getTime()) return undefined;
      return entry.json;
    },
    async write(key, json) {
      const at = now();
      const expiresAt = new Date(at.getTime() + ttlMs);
      // Forgotten first: if the write fails, the next read asks the database what it holds.
      writes++;
      known.delete(key);
      await sql.rows(SAVE_SESSION, [key, json, expiresAt, at]);
      remember(key, json, expiresAt.getTime());
    },
    async remove(key) {
      writes++;
      known.delete(key);
      await prisma.session.deleteMany({ where: { key } });
      remember(key, undefined, null);
    },
  });
}

export function createKvSessionStore(kv: KeyValueStore, ttlMs: number): SessionStore {
  return skippingUnchanged({
    read: async (key) => (await kv.get(`session:${key}`)) ?? undefined,
    write: (key, json) => kv.set(`session:${key}`, json, ttlMs),
    remove: (key) => kv.delete(`session:${key}`),
  });
}
