/**
 * The audit trail's use cases on the embedded database: newest first, ten to a page; filtered by the
 * staff member who acted, the kind of action and the NGO (named by the row, by its details, by a project
 * deadline or by a feedback item sent with a name); members' own actions never shown; a county admin
 * sees their own actions and those on their county's NGOs only; anonymous feedback ties to no NGO.
 */
import { describe, expect, it } from 'vitest';
import { createNgo } from '../support/ngo-fixtures.js';
import { startServiceHarness, type ServiceHarness } from '../support/service-harness.js';

const SUPER = 1000n;
const PROVINCE = 1001n;
const COUNTY = 1002n;
const MANAGER_BAM = 2001;
const MANAGER_KERMAN = 2002;
const START = '2026-11-30T08:00:00Z';

interface Setup {
  h: ServiceHarness;
  bam: { id: number; name: string };
  kerman: { id: number; name: string };
}

async function office(): Promise<Setup> {
  const h = await startServiceHarness({
    start: START,
    staff: [
      { id: SUPER, role: 'SUPER_ADMIN', firstName: 'مریم' },
      { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'پروین' },
      { id: COUNTY, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'کاوه' },
    ],
  });
  const bam = await createNgo(h.db, { managerId: MANAGER_BAM, name: 'انجمن یاوران بم', countyName: 'بم', status: 'APPROVED' });
  const kerman = await createNgo(h.db, { managerId: MANAGER_KERMAN, name: 'کانون سبز کرمان', countyName: 'کرمان', status: 'APPROVED' });
  return { h, bam, kerman };
}

let minute = 0;
/** An audit row written a minute after the previous one, so the order is the order of the calls. */
async function row(h: ServiceHarness, actorId: bigint | number | null, action: string, entityType: string | null, entityId: string | number | null, details?: object) {
  minute += 1;
  return h.prisma.auditLog.create({
    data: {
      actorId: actorId === null ? null : BigInt(actorId),
      action,
      entityType,
      entityId: entityId === null ? null : String(entityId),
      ...(details ? { details } : {}),
      createdAt: new Date(Date.parse(START) + minute * 60_000),
    },
  });
}

const ALL = { actor: 0n, group: 'a', ngo: 0 } as const;
const actions = (page: { entries: { action: string }[] }) => page.entries.map((e) => e.action);

describe('the audit trail', () => {
  it('when there are 23 office actions among members\' actions, then pages of ten come newest first and members\' actions are left out', async () => {
    const { h, bam } = await office();
    for (let i = 0; i < 23; i++) await row(h, PROVINCE, 'feedback.viewed', 'feedback', i + 1);
    await row(h, MANAGER_BAM, 'feedback.submitted', 'feedback', 99, { anonymous: true });
    await row(h, MANAGER_BAM, 'course.enrolled', 'course', 5, { ngoId: bam.id });
    await row(h, MANAGER_BAM, 'ngo.registered', 'ngo', bam.id);
    // A newer feature's action: shown when staff did it, not when a member did.
    await row(h, PROVINCE, 'survey.created', null, null, { questions: 5 });
    await row(h, MANAGER_BAM, 'survey.created', null, null);
    const audit = h.services.audit;
    const first = await audit.page(PROVINCE, ALL, 0);
    expect(first.total).toBe(24);
    expect(first.entries).toHaveLength(10);
    expect(first.entries[0]).toMatchObject({ action: 'survey.created', actor: { id: PROVINCE, name: 'پروین' } });
    expect(first.entries.slice(1).map((e) => e.entityId)).toEqual(['23', '22', '21', '20', '19', '18', '17', '16', '15']);
    const last = await audit.page(PROVINCE, ALL, 2);
    expect(last.entries.map((e) => e.entityId)).toEqual(['4', '3', '2', '1']);
    expect(actions(await audit.page(PROVINCE, ALL, 3))).toEqual([]);
  });

  it('when filtered by staff member, kind of action or NGO, then only the matching rows come, the NGO found through details, a project deadline or a named feedback item', async () => {
    const { h, bam, kerman } = await office();
    const deadline = await h.prisma.deadline.create({ data: { kind: 'PROJECT', title: 'طرح آموزش', ngoId: bam.id, dueAt: new Date('2027-03-01T00:00:00Z'), reminderDays: [7], createdBy: PROVINCE } });
    const named = await h.prisma.feedbackItem.create({ data: { type: 'QUESTION', userId: BigInt(MANAGER_BAM), ngoId: bam.id, anonymous: false } });
    const anonymous = await h.prisma.feedbackItem.create({ data: { type: 'COMPLAINT', userId: BigInt(MANAGER_BAM), ngoId: bam.id, anonymous: true } });
    await row(h, SUPER, 'ngo.approved', 'ngo', bam.id, { from: 'PENDING', to: 'APPROVED', reason: null });
    await row(h, PROVINCE, 'ngo.approved', 'ngo', kerman.id, { from: 'PENDING', to: 'APPROVED', reason: null });
    await row(h, PROVINCE, 'deadline.extended', 'deadline', deadline.id, { from: '2027-03-01T00:00:00Z', to: '2027-04-01T00:00:00Z' });
    await row(h, PROVINCE, 'course.attendance', 'course', 3, { ngoId: bam.id, attended: true });
    await row(h, PROVINCE, 'feedback.replied', 'feedback', named.id, { messageId: 1, length: 20 });
    await row(h, PROVINCE, 'feedback.replied', 'feedback', anonymous.id, { messageId: 2, length: 20 });
    await row(h, SUPER, 'ngo.field_corrected', 'ngo', kerman.id);
    await row(h, SUPER, 'holiday.added', 'holiday', '1405/12/01', { day: '1405/12/01', name: 'روز نمونه' });
    const audit = h.services.audit;

    expect(actions(await audit.page(SUPER, { ...ALL, actor: SUPER }, 0))).toEqual(['holiday.added', 'ngo.field_corrected', 'ngo.approved']);
    expect(actions(await audit.page(SUPER, { ...ALL, group: 'r' }, 0))).toEqual(['ngo.approved', 'ngo.approved']);
    // An action this version does not know goes with its prefix's kind.
    expect(actions(await audit.page(SUPER, { ...ALL, group: 'n' }, 0))).toEqual(['ngo.field_corrected']);
    expect(actions(await audit.page(SUPER, { ...ALL, group: 'h' }, 0))).toEqual(['holiday.added']);
    expect(actions(await audit.page(SUPER, { ...ALL, group: 'o' }, 0))).toEqual([]);

    const onBam = await audit.page(SUPER, { ...ALL, ngo: bam.id }, 0);
    expect(onBam.entries.map((e) => [e.action, e.entityId])).toEqual([
      ['feedback.replied', String(named.id)],
      ['course.attendance', '3'],
      ['deadline.extended', String(deadline.id)],
      ['ngo.approved', String(bam.id)],
    ]);
    expect(onBam.entries.every((e) => e.ngo?.name === 'انجمن یاوران بم')).toBe(true);
    expect(onBam.entries.find((e) => e.action === 'deadline.extended')?.title).toBe('طرح آموزش');
    // The anonymous item's row is in the trail for province staff, tied to no NGO.
    const all = await audit.page(SUPER, ALL, 0);
    expect(all.entries.find((e) => e.entityId === String(anonymous.id) && e.entityType === 'feedback')?.ngo).toBeNull();
    expect(all.countyScoped).toBe(false);
  });

  it('when a county admin reads the trail, then they see their own actions and those on their county\'s NGOs, nothing of another county, staff changes or anonymous items', async () => {
    const { h, bam, kerman } = await office();
    const anonymous = await h.prisma.feedbackItem.create({ data: { type: 'COMPLAINT', userId: BigInt(MANAGER_BAM), ngoId: bam.id, anonymous: true } });
    await row(h, PROVINCE, 'ngo.approved', 'ngo', bam.id);
    await row(h, PROVINCE, 'ngo.approved', 'ngo', kerman.id);
    await row(h, COUNTY, 'feedback.digest_set', 'admin', String(COUNTY), { digest: true });
    await row(h, SUPER, 'admin.added', 'admin', String(PROVINCE), { role: 'PROVINCE_ADMIN', county: null });
    await row(h, PROVINCE, 'feedback.replied', 'feedback', anonymous.id);
    await row(h, PROVINCE, 'broadcast.created', 'broadcast', 1, { recipients: 10 });
    const audit = h.services.audit;
    const page = await audit.page(COUNTY, ALL, 0);
    expect(page.countyScoped).toBe(true);
    expect(page.entries.map((e) => [e.action, e.entityId])).toEqual([
      ['feedback.digest_set', String(COUNTY)],
      ['ngo.approved', String(bam.id)],
    ]);
    expect(page.total).toBe(2);
    // Filters cannot reach beyond the scope: another county's NGO is "not found", and so is its search.
    await expect(audit.page(COUNTY, { ...ALL, ngo: kerman.id }, 0)).rejects.toMatchObject({ code: 'audit.errors.ngo_not_found' });
    expect(actions(await audit.page(COUNTY, { ...ALL, actor: SUPER }, 0))).toEqual([]);
    expect((await audit.actors(COUNTY, ALL)).map((a) => a.id)).toEqual([COUNTY, PROVINCE]);
    await expect(audit.page(BigInt(MANAGER_BAM), ALL, 0)).rejects.toMatchObject({ code: 'common.errors.not_admin' });
  });
});
