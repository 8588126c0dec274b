/**
 * The people who write to the bot (platform/bot/users.ts): every update passes through recordContact, so
 * a person already seen costs no database statement, yet what matters is never stale: a changed name is
 * written at once, someone who blocked the bot and wrote again is reachable at once, a language chosen or
 * a role granted or removed shows in the very next update.
 */
import { describe, expect, it, vi } from 'vitest';
import { useServiceHarness } from '../support/service-harness.js';

const SUPER = 1000n;
const PERSON = 2002;

const h = useServiceHarness({ start: '2026-11-30T08:00:00Z', staff: [{ id: SUPER, role: 'SUPER_ADMIN', firstName: 'مینا' }] });

const profile = (changes: Partial<{ first_name: string; last_name: string; username: string }> = {}) => ({
  id: PERSON,
  first_name: 'مریم',
  last_name: 'کاظمی',
  username: 'maryam_k',
  ...changes,
});

/** Statements sent to the database while `work` runs. */
async function statements(work: () => Promise<unknown>): Promise<number> {
  const raw = vi.spyOn(h.prisma, '$queryRaw');
  const executed = vi.spyOn(h.prisma, '$executeRaw');
  try {
    await work();
    return raw.mock.calls.length + executed.mock.calls.length;
  } finally {
    raw.mockRestore();
    executed.mockRestore();
  }
}

describe('recording the sender of each update', () => {
  it('when a new person writes, then their record is created as sent, with no role and no language', async () => {
    const user = await h.services.users.recordContact(profile());
    expect(user).toEqual({ id: BigInt(PERSON), firstName: 'مریم', language: null, role: null, countyId: null });
    const row = await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } });
    expect(row).toMatchObject({ firstName: 'مریم', lastName: 'کاظمی', username: 'maryam_k', reachable: true });
    expect(row.lastSeenAt.toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });

  it('when a person seen a moment ago writes again, then no statement reaches the database', async () => {
    await h.services.users.recordContact(profile());
    expect(await statements(() => h.services.users.recordContact(profile()))).toBe(0);
  });

  it('when a person changed their name on Telegram, then the next update writes it at once', async () => {
    await h.services.users.recordContact(profile());
    const user = await h.services.users.recordContact(profile({ first_name: 'مریم‌السادات' }));
    expect(user.firstName).toBe('مریم‌السادات');
    expect((await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } })).firstName).toBe('مریم‌السادات');
  });

  it('when a person who blocked the bot writes again, then they are reachable again at once', async () => {
    await h.services.users.recordContact(profile());
    await h.services.users.markUnreachable(BigInt(PERSON), 'blocked the bot');
    expect((await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } })).reachable).toBe(false);
    await h.services.users.recordContact(profile());
    const row = await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } });
    expect(row).toMatchObject({ reachable: true, unreachableReason: null });
  });

  it('when a person chooses English, then their next update is in English without asking the database', async () => {
    await h.services.users.recordContact(profile());
    await h.services.users.setLanguage(BigInt(PERSON), 'en');
    let user;
    expect(await statements(async () => (user = await h.services.users.recordContact(profile())))).toBe(0);
    expect(user).toMatchObject({ language: 'en' });
  });

  it('when a super admin makes someone a county admin and later removes them, then their next update carries the role and then none', async () => {
    await h.services.users.recordContact(profile());
    await h.services.admins.addAdmin(SUPER, { targetId: BigInt(PERSON), role: 'COUNTY_ADMIN', countyName: 'بم' });
    const asAdmin = await h.services.users.recordContact(profile());
    expect(asAdmin.role).toBe('COUNTY_ADMIN');
    expect(asAdmin.countyId).toEqual(expect.any(Number));
    await h.services.admins.removeAdmin(SUPER, BigInt(PERSON));
    expect((await h.services.users.recordContact(profile())).role).toBeNull();
  });

  it('when a handler writes into the user it was given, then the next update does not see it', async () => {
    const first = await h.services.users.recordContact(profile());
    first.role = 'SUPER_ADMIN';
    expect((await h.services.users.recordContact(profile())).role).toBeNull();
  });

  it('when a name holds a NUL, then it is stored without it and the update goes on', async () => {
    const user = await h.services.users.recordContact(profile({ first_name: 'مر\u0000یم' }));
    expect(user.firstName).toBe('مریم');
  });
});

describe('what the bot remembers of a person never outlives a change', () => {
  it('when the role changes while their record is being read, then that read is not remembered', async () => {
    await h.services.users.recordContact(profile());
    await h.services.users.markUnreachable(BigInt(PERSON), 'blocked the bot'); // nothing remembered now
    const reading = h.services.users.recordContact(profile()); // on its way to the database
    h.services.users.forget(BigInt(PERSON)); // e.g. a role granted meanwhile
    await reading;
    // The next update reads again instead of trusting what was read before the change.
    const raw = vi.spyOn(h.prisma, '$queryRaw');
    try {
      await h.services.users.recordContact(profile());
      expect(raw).toHaveBeenCalledTimes(1);
    } finally {
      raw.mockRestore();
    }
  });

  it('when the update is about blocking or unblocking the bot, then the record is written even if remembered', async () => {
    await h.services.users.recordContact(profile());
    await h.prisma.user.update({ where: { id: BigInt(PERSON) }, data: { reachable: false } }); // e.g. by another process
    await h.services.users.recordContact(profile(), { write: true });
    expect((await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } })).reachable).toBe(true);
  });

  it('when a new person is recorded, then created_at is the clock’s time in UTC, not the server’s local time', async () => {
    await h.services.users.recordContact(profile());
    expect((await h.prisma.user.findUniqueOrThrow({ where: { id: BigInt(PERSON) } })).createdAt.toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });
});
