/**
 * The NGO use cases on the embedded database, without Telegram: registration and its duplicate rule,
 * the office's decisions (versioned, taken once), suspension, invites and membership, and the county
 * admin's scope. Assertions are on what the use cases return, the rows they leave and the notices they
 * queue in the outbox (no dispatcher runs).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import type { NgoService } from '../../src/features/ngos/index.js';
import { submissionVersion } from '../../src/features/ngos/rules.js';
import { createNgo, createUser, registrationDraft } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const PROVINCE_ADMIN = 1001n;
const KERMAN_ADMIN = 1002n;
const BAM_ADMIN = 1003n;
const MANAGER = 2001n;
const COLLEAGUE = 2002n;
const OTHER_MANAGER = 2003n;
const SUNDAY_MORNING = new Date('2026-11-22T06:30:00Z');

const h = useServiceHarness({
  start: SUNDAY_MORNING,
  staff: [
    { id: PROVINCE_ADMIN, role: 'PROVINCE_ADMIN', firstName: 'مهسا' },
    { id: KERMAN_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان', firstName: 'رضا' },
    { id: BAM_ADMIN, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'سارا' },
  ],
});
let ngos: NgoService;

beforeEach(() => {
  ngos = h.services.ngos;
});

/** Every queued message with its recipients, oldest first. */
const queued = () => h.messages();

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function registered(userId: bigint, overrides: Parameters<typeof registrationDraft>[1] = {}) {
  await createUser(h.db, userId, `User${userId}`);
  return ngos.register(userId, await registrationDraft(ngos, overrides));
}

describe('registration', () => {
  it('when a person submits a registration, then it waits for review with them as manager, and the province and its county admins get one notice each with versioned buttons', async () => {
    const ngo = await registered(MANAGER, { name: 'انجمن حامیان محیط زیست کرمان' });

    expect(ngo).toMatchObject({ status: 'PENDING', county: 'کرمان', submittedAt: SUNDAY_MORNING });
    expect(await ngos.membershipOf(MANAGER)).toMatchObject({ role: 'MANAGER', ngo: { id: ngo.id } });
    expect(await h.prisma.auditLog.count({ where: { action: 'ngo.registered', entityId: String(ngo.id) } })).toBe(1);
    const [notice, ...others] = await queued();
    expect(others).toEqual([]);
    expect(notice!.to).toEqual([PROVINCE_ADMIN, KERMAN_ADMIN]);
    expect(notice!.text).toContain('درخواست ثبت‌نام سازمان جدید');
    expect(notice!.text).toContain('انجمن حامیان محیط زیست کرمان');
    const version = submissionVersion(ngo);
    expect(notice!.payload.replyMarkup!.inline_keyboard[0]!.map((b) => b.callback_data)).toEqual([`ngo_ok:${ngo.id}-${version}`, `ngo_no:${ngo.id}-${version}`]);
  });

  it('when another person registers the same number from the same authority, then it is refused naming the NGO already registered, and nothing is stored', async () => {
    const first = await registered(MANAGER, { registrationNumber: '1234/56' });
    await createUser(h.db, OTHER_MANAGER);
    const draft = await registrationDraft(ngos, { registrationNumber: '1234/56', countyName: 'بم' });

    const err = await refusal(ngos.register(OTHER_MANAGER, draft));

    expect(err.code).toBe('ngo.errors.duplicate');
    expect(err.params).toEqual({ name: first.name });
    expect(await h.prisma.ngo.count()).toBe(1);
    expect(await ngos.membershipOf(OTHER_MANAGER)).toBeNull();
    expect(await ngos.findRegistered('WELFARE', null, '1234/56')).toEqual({ id: first.id, name: first.name });
    // The same number from another authority is another NGO.
    await expect(ngos.register(OTHER_MANAGER, { ...draft, authority: 'HEALTH' })).resolves.toMatchObject({ status: 'PENDING' });
  });

  it('when a manager registers a second NGO, then it is refused: one NGO per person', async () => {
    await registered(MANAGER);
    const err = await refusal(ngos.register(MANAGER, await registrationDraft(ngos)));
    expect(err.code).toBe('ngo.errors.already_member');
    expect(await h.prisma.ngo.count()).toBe(1);
  });
});

describe('review', () => {
  it('when an admin approves the submission the button was made for, then the NGO is approved, audited, and its manager told once', async () => {
    const ngo = await registered(MANAGER);

    const approved = await ngos.approve(PROVINCE_ADMIN, ngo.id, submissionVersion(ngo));

    expect(approved).toMatchObject({ status: 'APPROVED', reviewedBy: PROVINCE_ADMIN, approvedAt: SUNDAY_MORNING });
    expect(await h.prisma.auditLog.findFirst({ where: { action: 'ngo.approved' } })).toMatchObject({ actorId: PROVINCE_ADMIN, entityId: String(ngo.id) });
    const notices = (await queued()).filter((m) => m.key.startsWith('ngo-decision:'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.to).toEqual([MANAGER]);
    expect(notices[0]!.text).toContain(`ثبت‌نام سازمان «${ngo.name}»`);
  });

  it('when the NGO was edited back to review after the button was made, then approving with the old version is refused and nothing changes', async () => {
    const ngo = await ngos.approve(PROVINCE_ADMIN, (await registered(MANAGER)).id);
    const oldVersion = submissionVersion(ngo);
    h.clock.set(new Date(SUNDAY_MORNING.getTime() + 60_000));
    const edit = await ngos.updateProfile(MANAGER, { name: 'انجمن نام تازه' });
    expect(edit).toMatchObject({ backToReview: true, ngo: { status: 'PENDING', reviewedBy: null } });

    const err = await refusal(ngos.approve(PROVINCE_ADMIN, ngo.id, oldVersion));

    expect(err.code).toBe('review.outdated_submission');
    expect(await h.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ status: 'PENDING', name: 'انجمن نام تازه' });
    // The edit sent the reviewers a second notice for the new submission.
    expect((await queued()).filter((m) => m.text.includes('دوباره منتظر بررسی است'))).toHaveLength(1);
  });

  it('when two admins approve at once, then one decision is taken, one notice queued, and the other is told who decided', async () => {
    const ngo = await registered(MANAGER);
    const version = submissionVersion(ngo);

    const results = await Promise.allSettled([ngos.approve(PROVINCE_ADMIN, ngo.id, version), ngos.approve(KERMAN_ADMIN, ngo.id, version)]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(AppError);
    expect((rejected.reason as AppError).code).toBe('ngo.review.already_decided');
    const decided = await h.prisma.ngo.findUniqueOrThrow({ where: { id: ngo.id } });
    expect((rejected.reason as AppError).params).toMatchObject({ by: decided.reviewedBy === PROVINCE_ADMIN ? 'مهسا' : 'رضا', status: 'APPROVED' });
    expect(await h.prisma.auditLog.count({ where: { action: 'ngo.approved' } })).toBe(1);
    expect((await queued()).filter((m) => m.key.startsWith('ngo-decision:'))).toHaveLength(1);
    // A reject pressed after the approval decides nothing either.
    expect((await refusal(ngos.reject(PROVINCE_ADMIN, ngo.id, 'دیر رسید', version))).code).toBe('ngo.review.already_decided');
  });

  it('when an admin rejects with a reason, then the manager is told the reason, escaped for HTML', async () => {
    const ngo = await registered(MANAGER);

    const rejected = await ngos.reject(PROVINCE_ADMIN, ngo.id, 'مدارک <ناقص> است', submissionVersion(ngo));

    expect(rejected).toMatchObject({ status: 'REJECTED', statusReason: 'مدارک <ناقص> است', approvedAt: null });
    const [notice] = (await queued()).filter((m) => m.key.startsWith('ngo-decision:'));
    expect(notice!.to).toEqual([MANAGER]);
    expect(notice!.text).toContain('دلیل: مدارک &lt;ناقص&gt; است');
  });

  it('when an approved NGO is suspended and reactivated, then each step is told to the manager, and a second suspension is refused', async () => {
    const ngo = await ngos.approve(PROVINCE_ADMIN, (await registered(MANAGER)).id);

    expect(await ngos.suspend(PROVINCE_ADMIN, ngo.id, 'گزارش تخلف')).toMatchObject({ status: 'SUSPENDED', statusReason: 'گزارش تخلف' });
    expect((await refusal(ngos.suspend(KERMAN_ADMIN, ngo.id, 'دوباره'))).code).toBe('ngo.review.already_decided');
    expect((await refusal(ngos.updateProfile(MANAGER, { memberCount: 30 }))).code).toBe('ngo.errors.suspended');
    h.clock.set(new Date(SUNDAY_MORNING.getTime() + 3_600_000));
    expect(await ngos.reactivate(PROVINCE_ADMIN, ngo.id)).toMatchObject({ status: 'APPROVED', statusReason: null, approvedAt: SUNDAY_MORNING });

    const toManager = (await queued()).filter((m) => m.to.includes(MANAGER)).map((m) => m.key.split(':')[0]);
    expect(toManager).toEqual(['ngo-decision', 'ngo-suspended', 'ngo-reactivated']);
    expect(await h.prisma.auditLog.count({ where: { action: { in: ['ngo.suspended', 'ngo.reactivated'] } } })).toBe(2);
  });

  it('when a county admin reviews, then they see and decide only NGOs of their county', async () => {
    const kerman = await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان', countyName: 'کرمان' });
    const bam = await createNgo(h.db, { managerId: OTHER_MANAGER, name: 'انجمن بم', countyName: 'بم' });

    expect((await ngos.pending(KERMAN_ADMIN, 0, 10)).items.map((n) => n.id)).toEqual([kerman.id]);
    expect((await ngos.pending(PROVINCE_ADMIN, 0, 10)).total).toBe(2);
    expect((await refusal(ngos.viewForAdmin(KERMAN_ADMIN, bam.id))).code).toBe('ngo.review.other_county');
    expect((await refusal(ngos.approve(KERMAN_ADMIN, bam.id))).code).toBe('ngo.review.other_county');
    expect((await refusal(ngos.approve(MANAGER, kerman.id))).code).toBe('common.errors.not_admin');
    expect(await h.prisma.ngo.findUnique({ where: { id: bam.id } })).toMatchObject({ status: 'PENDING' });

    await expect(ngos.approve(BAM_ADMIN, bam.id)).resolves.toMatchObject({ status: 'APPROVED', reviewedBy: BAM_ADMIN });
  });
});

describe('membership', () => {
  it('when a colleague opens the invite link, then they join and the manager is told; a revoked link and a second NGO are refused', async () => {
    const ngo = await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان', status: 'APPROVED' });
    await createUser(h.db, COLLEAGUE, 'علی');
    const token = await ngos.inviteToken(MANAGER);
    expect(await ngos.inviteToken(MANAGER)).toBe(token);
    expect((await refusal(ngos.inviteToken(COLLEAGUE))).code).toBe('ngo.errors.no_ngo');

    await expect(ngos.joinByInvite(COLLEAGUE, token)).resolves.toMatchObject({ id: ngo.id });

    expect(await ngos.membershipOf(COLLEAGUE)).toMatchObject({ role: 'MEMBER', ngo: { id: ngo.id } });
    const [joined] = await queued();
    expect(joined).toMatchObject({ to: [MANAGER] });
    expect(joined!.text).toContain('علی با لینک دعوت');
    expect((await refusal(ngos.joinByInvite(COLLEAGUE, token))).code).toBe('ngo.membership.already_in_this');
    const other = await createNgo(h.db, { managerId: OTHER_MANAGER, name: 'انجمن دیگر', status: 'APPROVED' });
    expect((await refusal(ngos.joinByInvite(COLLEAGUE, await ngos.inviteToken(OTHER_MANAGER)))).code).toBe('ngo.errors.already_member');
    expect(await h.prisma.ngoMember.count({ where: { ngoId: other.id } })).toBe(1);

    const fresh = await ngos.revokeInvite(MANAGER);
    expect(fresh).not.toBe(token);
    await createUser(h.db, 2004n);
    expect((await refusal(ngos.joinByInvite(2004n, token))).code).toBe('ngo.membership.invalid_invite');
  });

  it('when a person has no NGO, is a member or is the manager, then the commands left out of their menu follow that place', async () => {
    await createUser(h.db, COLLEAGUE);
    expect(await ngos.commandPlace(COLLEAGUE)).toEqual({ hide: ['invite', 'members', 'leave'], inNgo: false });
    await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان', status: 'APPROVED' });
    await ngos.joinByInvite(COLLEAGUE, await ngos.inviteToken(MANAGER));
    expect(await ngos.commandPlace(COLLEAGUE)).toEqual({ hide: ['register', 'invite', 'members'], inNgo: true });
    expect(await ngos.commandPlace(MANAGER)).toEqual({ hide: ['register', 'leave'], inNgo: true });
  });

  it('when the manager removes a member, then the member is told; a member may leave but the manager may not', async () => {
    await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان', status: 'APPROVED' });
    const token = await ngos.inviteToken(MANAGER);
    for (const id of [COLLEAGUE, 2004n]) {
      await createUser(h.db, id);
      await ngos.joinByInvite(id, token);
    }
    expect((await ngos.listMembers(MANAGER)).map((m) => [m.userId, m.role])).toEqual([
      [MANAGER, 'MANAGER'],
      [COLLEAGUE, 'MEMBER'],
      [2004n, 'MEMBER'],
    ]);
    expect((await refusal(ngos.removeMember(COLLEAGUE, 2004n))).code).toBe('ngo.errors.manager_only');

    expect(await ngos.removeMember(MANAGER, COLLEAGUE)).toBe(`User${COLLEAGUE}`);
    const removed = (await queued()).filter((m) => m.key.startsWith('ngo-removed:'));
    expect(removed).toHaveLength(1);
    expect(removed[0]!.to).toEqual([COLLEAGUE]);
    expect(removed[0]!.text).toContain('به تصمیم مدیر سازمان پایان یافت');
    expect((await refusal(ngos.removeMember(MANAGER, COLLEAGUE))).code).toBe('ngo.membership.not_a_member');

    await expect(ngos.leave(2004n)).resolves.toMatchObject({ name: 'انجمن کرمان' });
    expect((await refusal(ngos.leave(2004n))).code).toBe('ngo.errors.no_ngo');
    expect((await refusal(ngos.leave(MANAGER))).code).toBe('ngo.membership.manager_cannot_leave');
    expect((await ngos.profileOf(MANAGER))?.memberCount).toBe(1);
    expect(await h.prisma.auditLog.count({ where: { action: { in: ['ngo.member_removed', 'ngo.member_left'] } } })).toBe(2);
  });
});
