/**
 * The use cases of every feature, composed as the app composes them (createServices), on this test
 * file's database (test/support/file-database.ts: emptied, ids from 1), with a clock that stands still
 * until the test moves it, and the office's admins of `staff` in place. No Telegram and no dispatcher:
 * what a use case sends stays in the outbox, where `messages()` and `deliveries()` read it.
 *
 * `useServiceHarness` gives every test of the file a fresh harness (a beforeEach and an afterEach);
 * `startServiceHarness`, called inside a test, gives that test one (for a test that chooses its storage
 * mode), closed when the test finishes.
 */
import { afterEach, beforeEach, onTestFinished } from 'vitest';
import { createServices, type ServiceDeps, type Services } from '../../src/features/index.js';
import { createOutbox, type Outbox } from '../../src/platform/delivery/outbox.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { MemoryKeyValueStore } from '../../src/platform/kv/index.js';
import type { StorageMode, TestDatabase } from './database.js';
import { cleanTestDatabase } from './file-database.js';
import type { StaffSpec, TestClock } from './fixtures.js';
import { createAdmin } from './ngo-fixtures.js';

/** A clock that stands at `start` until the test sets or advances it: times the use cases store are exact. */
export function frozenClock(start: Date | string): TestClock {
  let now = new Date(start);
  return {
    now: () => now,
    set(at) {
      now = new Date(at);
    },
    advance(ms) {
      now = new Date(now.getTime() + ms);
    },
  };
}

/** A message in the outbox with its recipients. */
export interface QueuedMessage {
  /** Its dedupe key ('' without one). */
  key: string;
  /** Its text ('' for a copy or a file). */
  text: string;
  payload: { text?: string; replyMarkup?: { inline_keyboard: { text?: string; callback_data?: string }[][] } };
  /** The callback data of every button, row after row. */
  buttons: (string | undefined)[];
  /** Its recipients' chats, ascending. */
  to: bigint[];
}

/** One copy of a message to one chat. */
export interface QueuedDelivery {
  chatId: bigint;
  status: string;
  notBefore: Date;
  /** Its message's dedupe key. */
  key: string;
  /** Its message's text. */
  text: string;
}

/** A message the bot sent earlier, edited by a use case (a broadcast's progress card). */
export interface Edit {
  chatId: bigint;
  messageId: number;
  text: string;
  keyboard?: object;
}

export interface ServiceHarness {
  db: TestDatabase;
  prisma: TestDatabase['prisma'];
  clock: TestClock;
  outbox: Outbox;
  /** What the services were built from: a test builds a second instance (a new process) or one with a changed part from these. */
  deps: ServiceDeps;
  services: Services;
  /** Every edit of an earlier message, in order. */
  edits: Edit[];
  /** The outbox's messages whose key starts with `keyPrefix`, oldest first. */
  messages(keyPrefix?: string): Promise<QueuedMessage[]>;
  /** The deliveries of the messages whose key starts with `keyPrefix`, in the order they were queued. */
  deliveries(keyPrefix?: string): Promise<QueuedDelivery[]>;
  /** Gives the database back (done by itself after the test). */
  close(): Promise<void>;
}

export interface ServiceHarnessOptions {
  /** Where the clock stands when the test starts. */
  start: Date | string;
  /** Default: embedded. */
  mode?: StorageMode;
  /**
   * The office's admins, created before the test starts; super admins too (the app makes them from
   * ADMIN_IDS, and use-case tests have no configuration).
   */
  staff?: (Omit<StaffSpec, 'id' | 'role'> & { id: number | bigint; role: StaffSpec['role'] | 'SUPER_ADMIN' })[];
}

async function openServiceHarness(options: ServiceHarnessOptions): Promise<ServiceHarness> {
  const db = await cleanTestDatabase(options.mode ?? 'embedded');
  try {
    for (const s of options.staff ?? []) await createAdmin(db, s.id, s.role, { countyName: s.countyName, firstName: s.firstName });
  } catch (error) {
    await db.close();
    throw error;
  }
  const { prisma } = db;
  const clock = frozenClock(options.start);
  const kv = new MemoryKeyValueStore({ now: () => clock.now().getTime() });
  const outbox = createOutbox({ prisma, clock });
  const edits: Edit[] = [];
  const deps: ServiceDeps = {
    prisma,
    sql: db.sql,
    kv,
    outbox,
    translator: createTranslator(),
    clock,
    sendRate: 25,
    editMessage: async (chatId, messageId, text, keyboard) => {
      edits.push({ chatId, messageId, text, ...(keyboard ? { keyboard } : {}) });
    },
  };
  const withKey = (keyPrefix: string) => (keyPrefix ? { dedupeKey: { startsWith: keyPrefix } } : {});
  let closed: Promise<void> | undefined;
  return {
    db,
    prisma,
    clock,
    outbox,
    deps,
    services: createServices(deps),
    edits,
    async messages(keyPrefix = '') {
      const rows = await prisma.outboxMessage.findMany({ where: withKey(keyPrefix), include: { deliveries: true }, orderBy: { id: 'asc' } });
      return rows.map((m) => {
        const payload = m.payload as QueuedMessage['payload'];
        return {
          key: m.dedupeKey ?? '',
          text: payload.text ?? '',
          payload,
          buttons: payload.replyMarkup?.inline_keyboard.flat().map((b) => b.callback_data) ?? [],
          to: m.deliveries.map((d) => d.chatId).sort((a, b) => Number(a - b)),
        };
      });
    },
    async deliveries(keyPrefix = '') {
      const rows = await prisma.outboxDelivery.findMany({ where: { message: withKey(keyPrefix) }, include: { message: true }, orderBy: { id: 'asc' } });
      return rows.map((d) => ({
        chatId: d.chatId,
        status: d.status,
        notBefore: d.notBefore,
        key: d.message.dedupeKey ?? '',
        text: (d.message.payload as { text?: string }).text ?? '',
      }));
    },
    close() {
      closed ??= (async () => {
        try {
          await kv.close();
        } finally {
          await db.close();
        }
      })();
      return closed;
    },
  };
}

/** A harness for the test that calls it, closed when the test finishes. */
export async function startServiceHarness(options: ServiceHarnessOptions): Promise<ServiceHarness> {
  const harness = await openServiceHarness(options);
  onTestFinished(() => harness.close());
  return harness;
}

/**
 * A fresh harness for every test of the file (or of the describe block it is called in). The object
 * returned is filled before each test: read its fields inside hooks and tests, not when the file loads.
 */
export function useServiceHarness(options: ServiceHarnessOptions): ServiceHarness {
  const current = {} as ServiceHarness;
  beforeEach(async () => {
    Object.assign(current, await openServiceHarness(options));
  });
  afterEach(async () => {
    await current.close?.();
  });
  return current;
}
