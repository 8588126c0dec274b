/**
 * The office's NGO search and management, on the embedded database without Telegram: the database's
 * search key agrees with the code's, names are found however they are typed, every call is scoped to the
 * staff member's counties, the profile counts what staff may see, and corrections are audited with their
 * old and new values, told to the manager, and refused when the NGO changed since the admin looked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { authorityKey } from '../../src/features/ngos/rules.js';
import { SEARCH_DROPS, SEARCH_FOLDS, searchKey } from '../../src/features/ngos/search-rules.js';
import { SEARCH_RESULTS_MAX } from '../../src/features/ngos/search-service.js';
import type { NgoService } from '../../src/features/ngos/index.js';
import { AppError } from '../../src/platform/errors.js';
import { countyId, createAdmin, createNgo, createUser } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const ADMIN = 1001n;
const KERMAN_ADMIN = 3003n;
const RAFSANJAN_ADMIN = 3004n;
const STRANGER = 4004n;
const MANAGER = 2002n;

const h = useServiceHarness({
  start: '2026-11-22T06:30:00Z',
  staff: [
    { id: ADMIN, role: 'PROVINCE_ADMIN' },
    { id: KERMAN_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان' },
    { id: RAFSANJAN_ADMIN, role: 'COUNTY_ADMIN', countyName: 'رفسنجان' },
  ],
});
let ngos: NgoService;

beforeEach(() => {
  ngos = h.services.ngos;
});

const page = { page: 0, pageSize: 8 };
const names = async (adminId: bigint, text: string, options: Partial<Parameters<NgoService['search']>[2]> = {}) =>
  (await ngos.search(adminId, text, { ...page, ...options })).items.map((n) => n.name);

/** The AppError code a call is refused with. */
async function refusal(work: Promise<unknown>): Promise<string> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).code;
}

describe('the search key in the database', () => {
  it('when names are made of every character the key folds or drops, then the generated column equals searchKey', async () => {
    // A fixed pseudo-random sequence: the same names every run, covering every folded and dropped character.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = [...Object.keys(SEARCH_FOLDS), ...SEARCH_DROPS, ...'ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی', ...'abcxyz0189', 'é', '🙂'];
    const samples = alphabet.map((ch, i) => `${alphabet[(i * 7) % alphabet.length]}${ch}ن${ch}`);
    for (let i = 0; i < 300; i++) samples.push(Array.from({ length: 1 + random(30) }, () => alphabet[random(alphabet.length)]).join(''));
    const county = await countyId(h.db, 'کرمان');
    await h.prisma.ngo.createMany({
      data: samples.map((name, i) => ({
        name,
        registrationNumber: String(500_000 + i),
        authority: 'WELFARE',
        authorityKey: authorityKey('WELFARE'),
        countyId: county,
        managerName: 'مدیر',
        managerPhone: '+989121234567',
      })),
    });
    const rows = await h.prisma.ngo.findMany({ select: { name: true, nameKey: true } });
    expect(rows).toHaveLength(samples.length);
    const disagreeing = rows.filter((r) => r.nameKey !== searchKey(r.name)).map((r) => [...r.name].map((c) => c.codePointAt(0)!.toString(16)).join(' '));
    expect(disagreeing).toEqual([]);
  });
});

describe('finding an NGO', () => {
  beforeEach(async () => {
    await createNgo(h.db, { managerId: MANAGER, name: 'انجمن حامیان محیط زیست', status: 'APPROVED', registrationNumber: '1234/56' });
    await createNgo(h.db, { managerId: 2202n, name: 'پویندگان محیط\u200cزیست', status: 'APPROVED' });
    await createNgo(h.db, { managerId: 2302n, name: 'تلاشگران محیط زیست', status: 'SUSPENDED' });
    await createNgo(h.db, { managerId: 2402n, name: 'کانون محیط زیست رفسنجان', status: 'APPROVED', countyName: 'رفسنجان' });
    await createNgo(h.db, { managerId: 2502n, name: 'مؤسسه خیریه آینده‌سازان', status: 'PENDING' });
  });

  it('when a name is typed with Arabic letters, a space for a ZWNJ or none at all, then the same NGOs are found, in Persian order', async () => {
    const expected = ['انجمن حامیان محیط زیست', 'پویندگان محیط\u200cزیست', 'تلاشگران محیط زیست', 'کانون محیط زیست رفسنجان'];
    for (const typed of ['محيط زيست', 'محیط‌زیست', 'محیطزیست', '  محیط   زیست ']) expect(await names(ADMIN, typed), typed).toEqual(expected);
    // Words in any order, each a part of the name; hamza-seated and bare letters alike.
    expect(await names(ADMIN, 'زیست حامیان')).toEqual(['انجمن حامیان محیط زیست']);
    expect(await names(ADMIN, 'موسسه اينده')).toEqual(['مؤسسه خیریه آینده‌سازان']);
  });

  it('when a registration or tracking number is typed in Persian digits, then that NGO is found', async () => {
    const ngo = await h.prisma.ngo.findFirstOrThrow({ where: { registrationNumber: '1234/56' } });
    expect(await ngos.search(ADMIN, '۱۲۳۴/۵۶', page)).toMatchObject({ total: 1, items: [{ id: ngo.id, name: 'انجمن حامیان محیط زیست', county: 'کرمان', status: 'APPROVED' }] });
    expect((await ngos.search(ADMIN, `#${String(ngo.id).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!)}`, page)).items.map((n) => n.id)).toEqual([ngo.id]);
    // A part of a registration number is no match: numbers are exact.
    expect((await ngos.search(ADMIN, '۱۲۳۴', page)).total).toBe(0);
  });

  it('when only approved NGOs are asked for (the NGO of a project), then suspended and pending ones are left out', async () => {
    expect(await names(ADMIN, 'محیط زیست', { statuses: ['APPROVED'] })).toEqual(['انجمن حامیان محیط زیست', 'پویندگان محیط\u200cزیست', 'کانون محیط زیست رفسنجان']);
    expect(await names(ADMIN, 'آینده', { statuses: ['APPROVED'] })).toEqual([]);
  });

  it("when a county admin searches, then only their county's NGOs are found, by name or by number", async () => {
    expect(await names(RAFSANJAN_ADMIN, 'محیط زیست')).toEqual(['کانون محیط زیست رفسنجان']);
    expect(await names(KERMAN_ADMIN, 'رفسنجان')).toEqual([]);
    const kerman = await h.prisma.ngo.findFirstOrThrow({ where: { registrationNumber: '1234/56' } });
    expect((await ngos.search(RAFSANJAN_ADMIN, String(kerman.id), page)).total).toBe(0);
    expect((await ngos.search(RAFSANJAN_ADMIN, '1234/56', page)).total).toBe(0);
  });

  it('when someone who is not staff searches, or types too little, then it is refused', async () => {
    await createUser(h.db, STRANGER);
    expect(await refusal(ngos.search(STRANGER, 'محیط', page))).toBe('common.errors.not_admin');
    expect(await refusal(ngos.search(MANAGER, 'محیط', page))).toBe('common.errors.not_admin');
    expect(await refusal(ngos.search(ADMIN, 'ك', page))).toBe('ngo.search.too_short');
  });

  it('when more NGOs match than a page holds, then pages follow one another and a page past the end gives the last', async () => {
    for (let i = 0; i < 9; i++) await createNgo(h.db, { managerId: 2600n + BigInt(i), name: `خیریه امید ${i + 1}`, status: 'APPROVED' });
    const first = await ngos.search(ADMIN, 'خیریه امید', page);
    expect(first).toMatchObject({ total: 9, page: 0, pages: 2, items: { length: 8 } });
    const last = await ngos.search(ADMIN, 'خيريه اميد', { ...page, page: 7 });
    expect(last).toMatchObject({ page: 1, items: [{ name: 'خیریه امید 9' }] });
    // Names that begin with what was typed come before names that only hold it.
    await createNgo(h.db, { managerId: 2700n, name: 'انجمن خیریه امید', status: 'APPROVED' });
    expect((await ngos.search(ADMIN, 'خیریه امید', { ...page, page: 1 })).items.map((n) => n.name)).toEqual(['خیریه امید 9', 'انجمن خیریه امید']);
    expect(await names(ADMIN, 'امید ۹')).toEqual(['خیریه امید 9']);
  });

  it('when more NGOs match than can sensibly be listed, then none are listed and the admin learns how many', async () => {
    const county = await countyId(h.db, 'کرمان');
    await h.prisma.ngo.createMany({
      data: Array.from({ length: SEARCH_RESULTS_MAX + 1 }, (_, i) => ({
        name: `انجمن شماره ${i}`,
        registrationNumber: String(600_000 + i),
        authority: 'WELFARE',
        authorityKey: authorityKey('WELFARE'),
        countyId: county,
        managerName: 'مدیر',
        managerPhone: '+989121234567',
      })),
    });
    expect(await ngos.search(ADMIN, 'انجمن شماره', page)).toMatchObject({ tooMany: true, total: SEARCH_RESULTS_MAX + 1, items: [] });
    expect(await names(ADMIN, 'انجمن شماره 400')).toEqual(['انجمن شماره 400']);
  });
});

describe("an NGO's profile for staff", () => {
  it('when opened, then it shows the members, courses, feedback sent in its name (not anonymous) and its part of each deadline', async () => {
    const { id: ngoId } = await createNgo(h.db, { managerId: MANAGER, name: 'انجمن یاوران سلامت', status: 'APPROVED', members: [{ id: 2003n, firstName: 'رضا' }] });
    const course = await h.prisma.course.create({
      data: {
        title: 'کارگاه نگارش طرح',
        startsAt: new Date('2026-12-01T06:30:00Z'),
        durationMinutes: 90,
        format: 'IN_PERSON',
        capacity: 10,
        perNgoLimit: 3,
        registrationDeadline: new Date('2026-11-30T06:30:00Z'),
        eligibility: { countyIds: [], fieldIds: [] },
        createdBy: ADMIN,
      },
    });
    await h.prisma.enrollment.create({ data: { courseId: course.id, ngoId, participants: 2, status: 'ENROLLED', createdBy: MANAGER } });
    const feedback = (anonymous: boolean, status: 'RECEIVED' | 'ANSWERED') =>
      h.prisma.feedbackItem.create({ data: { type: 'SUGGESTION', userId: MANAGER, ngoId, anonymous, status } });
    await feedback(false, 'RECEIVED');
    await feedback(false, 'ANSWERED');
    await feedback(true, 'RECEIVED');
    const project = await h.services.deadlines.createProject(ADMIN, {
      ngoId,
      title: 'طرح پیشگیری',
      amountToman: 1_000_000,
      startDate: { jy: 1405, jm: 9, jd: 1 },
      dueDate: { jy: 1405, jm: 9, jd: 5 },
      reminderDays: [1],
    });

    const profile = await ngos.staffProfile(KERMAN_ADMIN, ngoId);
    expect(profile.ngo).toMatchObject({ id: ngoId, name: 'انجمن یاوران سلامت', status: 'APPROVED', county: 'کرمان' });
    expect(profile.members).toMatchObject({ total: 2, first: [{ role: 'MANAGER' }, { name: 'رضا', role: 'MEMBER' }] });
    expect(profile.courses).toMatchObject({ total: 1, recent: [{ title: 'کارگاه نگارش طرح', status: 'ENROLLED', participants: 2 }] });
    expect(profile.feedback).toEqual({ total: 2, byStatus: { RECEIVED: 1, ANSWERED: 1 } });
    expect(profile.deadlines).toMatchObject({ total: 1, overdue: 0, byStatus: { PENDING: 1, SUBMITTED: 0, ACCEPTED: 0 }, open: [{ id: project.id, status: 'PENDING', overdue: false }] });

    // The day after the due date, the part still owed is overdue.
    h.clock.set('2026-11-27T06:30:00Z');
    expect((await ngos.staffProfile(ADMIN, ngoId)).deadlines).toMatchObject({ overdue: 1, open: [{ overdue: true }] });
  });

  it("when a county admin opens another county's NGO, or its members, then it is refused", async () => {
    const { id } = await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان سبز', status: 'APPROVED' });
    expect(await refusal(ngos.staffProfile(RAFSANJAN_ADMIN, id))).toBe('ngo.review.other_county');
    expect(await refusal(ngos.staffMembers(RAFSANJAN_ADMIN, id, 0, 20))).toBe('ngo.review.other_county');
    expect(await refusal(ngos.staffProfile(ADMIN, 999_999))).toBe('ngo.errors.not_found');
    expect(await refusal(ngos.staffProfile(MANAGER, id))).toBe('common.errors.not_admin');
  });
});

describe('corrections by the office', () => {
  let ngoId: number;
  let version: string;

  beforeEach(async () => {
    ngoId = (await createNgo(h.db, { managerId: MANAGER, name: 'انجمن کرمان سبز', status: 'APPROVED', registrationNumber: '4321' })).id;
    version = (await ngos.staffProfile(ADMIN, ngoId)).version;
  });

  it('when staff correct an item, then it changes at once without a new review, audited with the old and new value, and the manager is told', async () => {
    const { ngo, changes } = await ngos.editByStaff(KERMAN_ADMIN, ngoId, version, { name: 'انجمن کرمانِ سبز و پاک' });
    expect(ngo).toMatchObject({ name: 'انجمن کرمانِ سبز و پاک', status: 'APPROVED' });
    expect(changes).toEqual([{ item: 'name', from: 'انجمن کرمان سبز', to: 'انجمن کرمانِ سبز و پاک' }]);
    const audit = await h.prisma.auditLog.findMany({ where: { action: 'ngo.edited_by_staff' } });
    expect(audit).toEqual([
      expect.objectContaining({ actorId: KERMAN_ADMIN, entityType: 'ngo', entityId: String(ngoId), details: { changes: [{ item: 'name', from: 'انجمن کرمان سبز', to: 'انجمن کرمانِ سبز و پاک' }] } }),
    ]);
    const told = await h.messages('ngo-staff-edit:');
    expect(told).toHaveLength(1);
    expect(told[0]!.to).toEqual([MANAGER]);
    expect(told[0]!.text).toContain('مشخصات سازمان «انجمن کرمانِ سبز و پاک» را در سامانه اصلاح کرد');
    expect(told[0]!.text).toContain('نام سازمان: <b>انجمن کرمانِ سبز و پاک</b>');
    // The new name is found by its new words.
    expect(await names(ADMIN, 'پاک')).toEqual(['انجمن کرمانِ سبز و پاک']);
  });

  it('when the fields of activity, the county or the authority are corrected by province staff, then the audit names old and new values', async () => {
    const { fields, counties } = await ngos.referenceLists();
    const rafsanjan = counties.find((c) => c.name === 'رفسنجان')!;
    let current = version;
    const edit = async (change: Parameters<NgoService['editByStaff']>[3]) => {
      const result = await ngos.editByStaff(ADMIN, ngoId, current, change);
      current = (await ngos.staffProfile(ADMIN, ngoId)).version;
      return result.changes;
    };
    expect(await edit({ fieldIds: [fields[1]!.id, fields[2]!.id] })).toEqual([{ item: 'fields', from: [fields[0]!.name], to: [fields[1]!.name, fields[2]!.name] }]);
    expect(await edit({ countyId: rafsanjan.id })).toEqual([{ item: 'county', from: 'کرمان', to: 'رفسنجان' }]);
    expect(await edit({ authority: 'OTHER', authorityOther: 'شهرداری' })).toEqual([{ item: 'authority', from: 'WELFARE', to: 'OTHER:شهرداری' }]);
    expect(await edit({ managerPhone: '+989131112233', foundedYear: 1398 })).toEqual([
      { item: 'founded_year', from: null, to: 1398 },
      { item: 'manager_phone', from: '+989121234567', to: '+989131112233' },
    ]);
    expect(await h.prisma.auditLog.count({ where: { action: 'ngo.edited_by_staff', entityId: String(ngoId) } })).toBe(4);
    // Now in Rafsanjan: the Kerman admin no longer reaches it, the Rafsanjan admin does.
    expect(await refusal(ngos.staffProfile(KERMAN_ADMIN, ngoId))).toBe('ngo.review.other_county');
    expect((await ngos.staffProfile(RAFSANJAN_ADMIN, ngoId)).ngo.county).toBe('رفسنجان');
  });

  it('when the NGO changed after the admin looked, then the correction is refused and nothing changes', async () => {
    // The manager edits meanwhile (a new version of the record).
    await new Promise((r) => setTimeout(r, 5));
    await ngos.updateProfile(MANAGER, { description: 'معرفی تازه' });
    expect(await refusal(ngos.editByStaff(ADMIN, ngoId, version, { name: 'نام دیگر' }))).toBe('ngo.manage.changed');
    expect(await refusal(ngos.staffEditTarget(ADMIN, ngoId, version))).toBe('ngo.manage.changed');
    // A version that is no version (forged) is refused the same way.
    expect(await refusal(ngos.editByStaff(ADMIN, ngoId, 'zzzzzzzzzzzz', { name: 'نام دیگر' }))).toBe('ngo.manage.changed');
    // A correction consumes its version: the same button twice changes the record once.
    const fresh = (await ngos.staffProfile(ADMIN, ngoId)).version;
    await ngos.editByStaff(ADMIN, ngoId, fresh, { managerName: 'زهرا احمدی' });
    expect(await refusal(ngos.editByStaff(ADMIN, ngoId, fresh, { managerName: 'کسی دیگر' }))).toBe('ngo.manage.changed');
    expect(await h.prisma.ngo.findUniqueOrThrow({ where: { id: ngoId } })).toMatchObject({ name: 'انجمن کرمان سبز', managerName: 'زهرا احمدی' });
    expect(await h.prisma.auditLog.count({ where: { action: 'ngo.edited_by_staff' } })).toBe(1);
  });

  it('when a correction is out of scope, a duplicate, no change, or for an NGO under review, then it is refused and nothing is written', async () => {
    const rafsanjan = await countyId(h.db, 'رفسنجان');
    expect(await refusal(ngos.editByStaff(KERMAN_ADMIN, ngoId, version, { countyId: rafsanjan }))).toBe('ngo.manage.county_out_of_scope');
    expect(await refusal(ngos.editByStaff(RAFSANJAN_ADMIN, ngoId, version, { name: 'نام دیگر' }))).toBe('ngo.review.other_county');
    await createNgo(h.db, { managerId: 2102n, name: 'کانون دیگر', status: 'APPROVED', registrationNumber: '8888' });
    expect(await refusal(ngos.editByStaff(ADMIN, ngoId, version, { registrationNumber: '8888' }))).toBe('ngo.manage.duplicate');
    expect(await refusal(ngos.editByStaff(ADMIN, ngoId, version, { name: 'انجمن کرمان سبز' }))).toBe('ngo.manage.unchanged');
    const pending = await createNgo(h.db, { managerId: 2202n, name: 'انجمن در انتظار' });
    const pendingVersion = (await ngos.staffProfile(ADMIN, pending.id)).version;
    expect(await refusal(ngos.editByStaff(ADMIN, pending.id, pendingVersion, { name: 'نام دیگر' }))).toBe('ngo.manage.not_editable');
    await createAdmin(h.db, 5005n, 'PROVINCE_ADMIN');
    await h.prisma.admin.delete({ where: { userId: 5005n } });
    expect(await refusal(ngos.editByStaff(5005n, ngoId, version, { name: 'نام دیگر' }))).toBe('common.errors.not_admin');
    expect(await h.prisma.ngo.findUniqueOrThrow({ where: { id: ngoId } })).toMatchObject({ name: 'انجمن کرمان سبز', registrationNumber: '4321' });
    expect(await h.prisma.auditLog.count({ where: { action: 'ngo.edited_by_staff' } })).toBe(0);
    expect(await h.messages('ngo-staff-edit:')).toEqual([]);
  });
});
