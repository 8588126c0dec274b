/**
 * /stats end to end through the fake Bot API: province staff get the chart as a photo (a PNG drawn with
 * Persian labels) and the NGO figures with buttons for the other sections and the activity rule; a
 * county admin's figures name only their county; members, strangers and forged buttons are refused.
 */
import { describe, expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, editIn, inlineLabels, messageIdOf, NOT_ADMIN, STALE_BUTTON, t } from '../support/conversation.js';
import { startOffice, testClock } from '../support/fixtures.js';
import { createUser } from '../support/ngo-fixtures.js';
import { STATS_NOW } from '../support/stats-fixtures.js';

const SUPER = 1001;
const PROVINCE = 1002;
const COUNTY_ADMIN = 3003; // بم
const MEMBER = 2101;
const STRANGER = 4004;

const KERMAN_NGO = 'انجمن سبز کرمان';
const BAM_NGO = 'جمعیت یاوران بم';
const RAFSANJAN_NGO = 'کانون پسته رفسنجان';

describe(`statistics (${e2eStorageMode()} storage)`, () => {
  it('when staff send /stats, then a chart photo and the figures of their scope arrive, the section buttons work, and others are refused', async () => {
    const { h } = await startOffice({
      adminIds: [SUPER],
      clock: testClock(STATS_NOW),
      staff: [
        { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'رضا' },
        { id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'علی' },
      ],
      ngos: [
        { managerId: MEMBER, name: KERMAN_NGO, countyName: 'کرمان', status: 'APPROVED' },
        { managerId: 2102, name: 'کانون جوانان کرمان', countyName: 'کرمان', status: 'APPROVED' },
        { managerId: 2201, name: BAM_NGO, countyName: 'بم', status: 'APPROVED' },
        { managerId: 2301, name: RAFSANJAN_NGO, countyName: 'رفسنجان', status: 'APPROVED' },
        { managerId: 2302, name: 'انجمن تازه رفسنجان', countyName: 'رفسنجان', status: 'PENDING' },
      ],
    });
    await createUser(h.db, STRANGER);
    const staff = h.api.user(PROVINCE, { first_name: 'رضا' });
    const county = h.api.user(COUNTY_ADMIN, { first_name: 'علی' });

    staff.sendCommand('stats');
    const photo = await staff.waitForReply((c) => c.method === 'sendPhoto');
    expect(photo.upload?.bytes?.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(photo.upload!.bytes!.readUInt32BE(16)).toBe(1080);
    expect(String(photo.text)).toContain('کل استان');
    const summary = await staff.waitForReply((c) => c.method === 'sendMessage');
    const text = String(summary.text);
    expect(text).toContain('آمار سازمان‌های مردم‌نهاد — کل استان');
    expect(text).toContain('تأییدشده: ۴ · در انتظار بررسی: ۱ · ردشده: ۰ · تعلیق‌شده: ۰');
    expect(text).toContain('• کرمان: ۲ (فعال ۰، نیمه‌فعال ۰، غیرفعال ۲)');
    expect(text).toContain('• بم: ۱ (فعال ۰، نیمه‌فعال ۰، غیرفعال ۱)');
    expect(text).toContain('• غیرفعال: ۴ (۱۰۰٪)');
    expect(inlineLabels(summary)).toEqual(['✅ سازمان‌ها', 'دوره‌ها', 'پیام‌ها', 'اطلاعیه‌ها', 'مهلت‌ها', 'سطح فعالیت چگونه محاسبه می‌شود؟']);

    for (const [label, heading] of [
      ['دوره‌ها', 'دوره‌ها و نیازهای آموزشی — کل استان'],
      ['مهلت‌ها', 'مهلت‌ها و گزارش‌ها — کل استان'],
      ['اطلاعیه‌ها', 'اطلاعیه‌ها — کل استان'],
      ['پیام‌ها', 'پیام‌های سازمان‌ها (پیشنهاد، انتقاد، شکایت و پرسش) — کل استان'],
      ['سطح فعالیت چگونه محاسبه می‌شود؟', 'سطح فعالیت چگونه محاسبه می‌شود؟'],
    ] as const) {
      const mark = h.api.mark();
      staff.pressButtonByText(label);
      const edit = await editIn(h, PROVINCE, mark, (s) => s.includes(heading));
      expect(edit.params.message_id).toBe(messageIdOf(summary));
    }

    const forged = staff.pressButton('stats:everything', messageIdOf(summary));
    expect((await answerTo(h, forged)).params.text).toBe(STALE_BUTTON);

    county.sendCommand('stats');
    expect(String((await county.waitForReply((c) => c.method === 'sendPhoto')).text)).toContain('شهرستان بم');
    const own = String((await county.waitForReply((c) => c.method === 'sendMessage')).text);
    expect(own).toContain('آمار سازمان‌های مردم‌نهاد — شهرستان بم');
    expect(own).toContain('تأییدشده: ۱ · در انتظار بررسی: ۰');
    expect(own).not.toContain('کرمان');
    expect(own).not.toContain('رفسنجان');

    for (const id of [MEMBER, STRANGER]) {
      const outsider = h.api.user(id, { first_name: 'بیرونی' });
      outsider.sendCommand('stats');
      expect((await outsider.waitForReply()).params.text).toBe(NOT_ADMIN);
      const pressed = outsider.pressButton('stats:ngos');
      expect((await answerTo(h, pressed)).params.text).toBe(t('common.errors.not_admin'));
    }
    await h.waitForIdle();
    expect(h.api.calls().filter((c) => c.method === 'sendPhoto' && (c.chatId === MEMBER || c.chatId === STRANGER))).toEqual([]);
  });
});
