/**
 * The official holidays end to end, through the fake Bot API: every admin lists the coming ones, only a
 * super admin adds, renames or removes a day, in Persian or ASCII digits, and the command menu offers
 * the commands to staff. The holidays are reference data the test database checks, so the test puts the
 * table back before it ends.
 */
import { describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { e2eStorageMode } from '../support/database.js';
import { NOT_ADMIN } from '../support/conversation.js';
import { testClock } from '../support/fixtures.js';
import { createAdmin, createUser } from '../support/ngo-fixtures.js';
import { startHarness } from '../support/harness.js';

const SUPER = 1001;
const STAFF = 3003;
const MEMBER = 2002;

describe(`official holidays (${e2eStorageMode()} storage)`, () => {
  it('when staff list the holidays and the super admin changes them, then the list, the replies and the audit follow, and others are refused', async () => {
    // Sunday 1405/09/01 10:00 Tehran.
    const h = await startHarness({ adminIds: [SUPER], clock: testClock(jalaliToDate({ jy: 1405, jm: 9, jd: 1 }, { hour: 10, minute: 0 })) });
    const seeded = await h.db.prisma.holiday.findMany();
    try {
      await createAdmin(h.db, STAFF, 'PROVINCE_ADMIN', { firstName: 'کارشناس' });
      await createUser(h.db, MEMBER);
      const boss = h.api.user(SUPER, { first_name: 'مدیر' });
      const staff = h.api.user(STAFF, { first_name: 'کارشناس' });
      const member = h.api.user(MEMBER, { first_name: 'عضو' });

      staff.sendCommand('holidays');
      const list = String((await staff.waitForReply()).params.text);
      expect(list.split('\n')[0]).toBe('<b>تعطیلات رسمی پیش رو</b> (۳۵ روز):');
      expect(list.split('\n')[1]).toBe('• ۱۴۰۵/۱۰/۰۲ — ولادت امام علی (ع)');
      expect(list).toContain('• ۱۴۰۶/۰۱/۰۱ — آغاز نوروز');
      expect(list).toContain('مانند جمعه‌ها روز کاری نیستند');

      boss.sendCommand('add_holiday', '۱۴۰۵/۰۹/۰۸ تعطیل <b>اضطراری</b>');
      expect((await boss.waitForReply()).params).toMatchObject({ parse_mode: 'HTML', text: '۱۴۰۵/۰۹/۰۸ با نام «\u2068تعطیل &lt;b&gt;اضطراری&lt;/b&gt;\u2069» به تعطیلات رسمی افزوده شد.' });
      boss.sendCommand('add_holiday', '1405/9/8 تعطیل به مناسبت آلودگی هوا');
      expect((await boss.waitForReply()).params.text).toBe('نام تعطیل ۱۴۰۵/۰۹/۰۸ از «\u2068تعطیل &lt;b&gt;اضطراری&lt;/b&gt;\u2069» به «تعطیل به مناسبت آلودگی هوا» تغییر کرد.');
      staff.sendCommand('holidays');
      expect(String((await staff.waitForReply()).params.text).split('\n')[1]).toBe('• ۱۴۰۵/۰۹/۰۸ — تعطیل به مناسبت آلودگی هوا');

      boss.sendCommand('remove_holiday', '۱۴۰۵/۰۹/۰۸');
      expect((await boss.waitForReply()).params.text).toBe('۱۴۰۵/۰۹/۰۸ («تعطیل به مناسبت آلودگی هوا») از فهرست تعطیلات رسمی حذف شد.');
      boss.sendCommand('remove_holiday', '۱۴۰۵/۰۹/۰۸');
      expect((await boss.waitForReply()).params.text).toBe('برای این روز تعطیل رسمی ثبت نشده است. فهرست را با \u200E/holidays ببینید.');
      boss.sendCommand('add_holiday', '1405/12/30 روز نبوده');
      expect((await boss.waitForReply()).params.text).toBe('این روز در آن ماه وجود ندارد.');
      boss.sendCommand('add_holiday', '');
      expect(String((await boss.waitForReply()).params.text)).toContain('<code>/add_holiday ۱۴۰۶/۰۱/۰۱ آغاز نوروز</code>');

      staff.sendCommand('add_holiday', '1405/09/08 روز تازه');
      expect((await staff.waitForReply()).params.text).toBe('این کار فقط از راهبر سامانه برمی‌آید.');
      member.sendCommand('holidays');
      expect((await member.waitForReply()).params.text).toBe(NOT_ADMIN);

      const audit = await h.db.prisma.auditLog.findMany({ where: { entityType: 'holiday' }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => [a.actorId, a.action, a.entityId])).toEqual([
        [BigInt(SUPER), 'holiday.added', '1405/09/08'],
        [BigInt(SUPER), 'holiday.renamed', '1405/09/08'],
        [BigInt(SUPER), 'holiday.removed', '1405/09/08'],
      ]);
      expect(h.api.commands({ scope: { type: 'chat', chat_id: SUPER } })?.map((c) => c.command)).toEqual(
        expect.arrayContaining(['holidays', 'add_holiday', 'remove_holiday']),
      );
    } finally {
      await h.db.prisma.holiday.deleteMany();
      await h.db.prisma.holiday.createMany({ data: seeded });
    }
  });
});
