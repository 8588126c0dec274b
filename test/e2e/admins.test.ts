/** Staff management end to end: only the super admin sees and changes staff; every change is audited and announced. */
import { createNgo } from '../support/ngo-fixtures.js';
import { describe, expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { NOT_ADMIN } from '../support/conversation.js';
import { startHarness } from '../support/harness.js';

const SUPER = 1001;
const STAFF = 3003;
const MEMBER = 2002;

describe(`staff management (${e2eStorageMode()} storage)`, () => {
  it('when a staff member also manages an NGO, then the menu set at start-up has the staff and manager commands but no /register', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    await createNgo(h.db, { managerId: SUPER, name: 'انجمن مدیر سامانه' });
    await h.restart();
    const menu = h.api.commands({ scope: { type: 'chat', chat_id: SUPER } })?.map((c) => c.command) ?? [];
    expect(menu).toEqual(expect.arrayContaining(['pending', 'add_admin', 'invite', 'members']));
    expect(menu).not.toContain('register');
  });

  it('when a county is typed with a space where its name has a ZWNJ, then it is still found', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    const boss = h.api.user(SUPER, { first_name: 'مدیر' });
    const staff = h.api.user(STAFF, { first_name: 'کارشناس' });
    staff.sendCommand('start');
    await staff.waitForReply();
    boss.sendCommand('add_admin', `${STAFF} county قلعه گنج`);
    expect((await boss.waitForReply()).params.text).toBe('کارشناس به‌عنوان کارشناس شهرستان قلعه‌گنج افزوده شد.');
    const admin = await h.db.prisma.admin.findUnique({ where: { userId: BigInt(STAFF) }, include: { county: true } });
    expect(admin).toMatchObject({ role: 'COUNTY_ADMIN', county: { name: 'قلعه‌گنج' } });
  });

  it('when the super admin adds a county admin, then the new admin is told through the outbox, gets the admin menu, and it is audited', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    const boss = h.api.user(SUPER, { first_name: 'مدیر' });
    const staff = h.api.user(STAFF, { first_name: 'کارشناس' });
    staff.sendCommand('start');
    await staff.waitForReply();

    // Persian digits and Arabic kaf in the county name are normalised.
    boss.sendCommand('add_admin', `${'۳۰۰۳'} county كرمان`);
    const confirmation = await boss.waitForReply();
    expect(confirmation.params.text).toBe('کارشناس به‌عنوان کارشناس شهرستان کرمان افزوده شد.');

    const notice = await h.api.waitForMessage(STAFF, (c) => String(c.params.text).includes('تعیین شدید'));
    expect(notice.params.text).toBe(
      'شما به‌عنوان کارشناس شهرستان کرمان در سامانه همکاری سازمان‌های مردم‌نهاد تعیین شدید. برای دیدن فرمان‌ها \u200E/help را بفرستید.',
    );
    const admin = await h.db.prisma.admin.findUnique({ where: { userId: BigInt(STAFF) }, include: { county: true } });
    expect(admin).toMatchObject({ role: 'COUNTY_ADMIN', county: { name: 'کرمان' } });
    const audit = await h.db.prisma.auditLog.findFirst({ where: { action: 'admin.added' } });
    expect(audit).toMatchObject({ actorId: BigInt(SUPER), entityId: String(STAFF) });
    await expect.poll(() => h.api.commands({ scope: { type: 'chat', chat_id: STAFF } })?.map((c) => c.command) ?? []).toContain('admins');

    // The new admin can neither see the staff list (names and Telegram ids are for super admins) nor add staff.
    staff.sendCommand('admins');
    expect((await staff.waitForReply()).params.text).toBe('این کار فقط از راهبر سامانه برمی‌آید.');
    boss.sendCommand('admins');
    const list = String((await boss.waitForReply()).params.text);
    expect(list).toContain('کارشناسان سامانه');
    expect(list).toContain('کارشناس شهرستان کرمان');
    staff.sendCommand('add_admin', `${MEMBER} province`);
    expect((await staff.waitForReply()).params.text).toBe('این کار فقط از راهبر سامانه برمی‌آید.');

    boss.sendCommand('remove_admin', String(STAFF));
    expect((await boss.waitForReply()).params.text).toBe('کارشناس از فهرست کارشناسان حذف شد.');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(STAFF) } })).toBeNull();
    expect(await h.db.prisma.auditLog.count({ where: { action: 'admin.removed' } })).toBe(1);
    await h.api.waitForMessage(STAFF, (c) => c.text === 'دسترسی شما به‌عنوان کارشناس سامانه همکاری سازمان‌های مردم‌نهاد برداشته شد.');

    // Removal takes effect at once: the role is read from the database on every command.
    staff.sendCommand('admins');
    expect((await staff.waitForReply()).params.text).toBe(NOT_ADMIN);
  });

  it('when the super admin types a bad command, then a Persian usage message comes and nothing changes', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    const boss = h.api.user(SUPER, { first_name: 'مدیر' });
    boss.sendCommand('add_admin', 'abc province');
    expect(String((await boss.waitForReply()).params.text)).toContain('روش استفاده');
    boss.sendCommand('add_admin', '99999 province');
    expect((await boss.waitForReply()).params.text).toBe('کاربری با این شناسه هنوز ربات را آغاز نکرده است. از او بخواهید ابتدا \u200E/start را بفرستد.');
    h.api.user(STAFF, { first_name: 'X' }).sendCommand('start');
    await h.api.waitForMessage(STAFF);
    boss.sendCommand('add_admin', `${STAFF} county <b>آتلانتیس</b>`);
    // What the user typed is shown as typed: escaped, never interpreted as formatting.
    const unknown = await boss.waitForReply();
    expect(unknown.params).toMatchObject({ parse_mode: 'HTML', text: 'شهرستانی با نام «\u2068&lt;b&gt;آتلانتیس&lt;/b&gt;\u2069» در فهرست نیست.' });
    // The last super admin cannot remove themselves (ADMIN_IDS is the only way to another one).
    boss.sendCommand('remove_admin', String(SUPER));
    expect(String((await boss.waitForReply()).params.text)).toContain('شما تنها راهبر سامانه هستید');
    expect(await h.db.prisma.admin.count()).toBe(1);
    expect(await h.db.prisma.auditLog.count({ where: { action: { in: ['admin.added', 'admin.removed'] } } })).toBe(0);
  });
  it('when a person reads /help, then their own id is there, and the super admin adds them with Persian words for the role and county', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    const boss = h.api.user(SUPER, { first_name: 'مدیر' });
    const staff = h.api.user(STAFF, { first_name: 'کارشناس' });
    staff.sendCommand('help');
    expect(String((await staff.waitForReply()).params.text)).toContain(`شناسه عددی شما در سامانه: <code>${STAFF}</code>`);

    boss.sendCommand('add_admin', `${'۳۰۰۳'} شهرستان رودبار جنوب`);
    expect((await boss.waitForReply()).params.text).toBe('کارشناس به‌عنوان کارشناس شهرستان رودبار جنوب افزوده شد.');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(STAFF) }, include: { county: true } })).toMatchObject({
      role: 'COUNTY_ADMIN',
      county: { name: 'رودبار جنوب' },
    });
    boss.sendCommand('add_admin', `${STAFF} استانی`);
    expect((await boss.waitForReply()).params.text).toBe('کارشناس به‌عنوان کارشناس استان افزوده شد.');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(STAFF) } })).toMatchObject({ role: 'PROVINCE_ADMIN', countyId: null });
    // The staff list names the top role so that it is not taken for the office head (مدیرکل).
    boss.sendCommand('admins');
    expect(String((await boss.waitForReply()).params.text)).toContain('— راهبر سامانه —');
    // A role word alone, without a county, is not enough for a county admin.
    boss.sendCommand('add_admin', `${STAFF} شهرستان`);
    expect(String((await boss.waitForReply()).params.text)).toContain('<code>/add_admin شناسه شهرستان نام‌شهرستان</code>');
  });

  it('when a message an admin made cannot be delivered, then the admin is told in Persian to whom and why, without the API\'s English or a chat id', async () => {
    const h = await startHarness({ adminIds: [SUPER] });
    const boss = h.api.user(SUPER, { first_name: 'مدیر' });
    const staff = h.api.user(STAFF, { first_name: 'کارشناس', last_name: 'نمونه' });
    staff.sendCommand('start');
    await staff.waitForReply();
    h.api.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"", chatId: STAFF });
    boss.sendCommand('add_admin', `${STAFF} استان`);
    await boss.waitForReply();
    const alert = await h.api.waitForMessage(SUPER, (c) => String(c.text).includes('نرسید'));
    expect(alert.text).toBe(
      'پیامی که فرستاده بودید به دست «کارشناس نمونه» نرسید.\n' +
        'علت: قالب‌بندی متن پیام را پیام‌رسان نپذیرفت (برای نمونه یک نشانه قالب‌بندی بسته نشده است). متن را بدون قالب‌بندی ویژه دوباره بفرستید.\n' +
        'اگر همین پیام برای گیرندگان دیگری هم فرستاده شده باشد، ممکن است به دست آن‌ها هم نرسد.',
    );
    expect(String(alert.text)).not.toMatch(/[A-Za-z]|\d/);
  });
});
