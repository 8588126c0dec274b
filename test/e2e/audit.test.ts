/**
 * /audit end to end through the fake Bot API: what the office did, newest first with Jalali dates in
 * Persian digits, a sentence per action and the NGO it was on; paging and the kind filter through
 * buttons; an NGO found by part of its name; a county admin's trail limited to their county.
 */
import { describe, expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { editIn, inlineButtons, messageIdOf, NOT_ADMIN } from '../support/conversation.js';
import { startOffice } from '../support/fixtures.js';

const SUPER = 1001;
const PROVINCE = 1002;
const COUNTY = 1003;
const MANAGER_BAM = 2001;
const MANAGER_KERMAN = 2002;

describe(`the audit trail (${e2eStorageMode()} storage)`, () => {
  it('when staff read /audit, then lines show when, who, what and on which NGO; pages and the kind filter work by buttons; a county admin sees only their county', async () => {
    const { h, ngos } = await startOffice({
      adminIds: [SUPER],
      staff: [
        { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'پروین' },
        { id: COUNTY, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'کاوه' },
      ],
      ngos: [
        { managerId: MANAGER_BAM, name: 'انجمن یاوران بم', countyName: 'بم', status: 'PENDING' },
        { managerId: MANAGER_KERMAN, name: 'کانون سبز کرمان', countyName: 'کرمان', status: 'PENDING' },
      ],
    });
    const [bam, kerman] = ngos;
    const province = h.api.user(PROVINCE, { first_name: 'پروین' });
    // Two real decisions through the bot, then history enough for two pages.
    province.sendCommand('ngo', String(bam.id));
    await province.waitForReply();
    province.pressButtonByText('✅ تأیید');
    await h.api.waitForMessage(MANAGER_BAM);
    const base = Date.parse('2026-11-01T06:30:00Z');
    await h.db.prisma.auditLog.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({
        actorId: BigInt(PROVINCE),
        action: 'feedback.viewed',
        entityType: 'feedback',
        entityId: String(100 + i),
        createdAt: new Date(base + i * 60_000),
      })),
    });
    await h.db.prisma.auditLog.create({
      data: { actorId: BigInt(SUPER), action: 'ngo.suspended', entityType: 'ngo', entityId: String(kerman.id), details: { from: 'APPROVED', to: 'SUSPENDED', reason: 'متن دلیل محرمانه' }, createdAt: new Date(base - 60_000) },
    });

    province.sendCommand('audit');
    const first = await province.waitForReply();
    const text = String(first.params.text);
    expect(text).toContain('کارهای اخیر دفتر');
    // The approval, the super admin made from ADMIN_IDS at start-up, twelve readings and the suspension.
    expect(text).toContain('(۱۵ مورد، تازه‌ترین نخست)');
    expect(text).toContain('<b>پروین</b>: ثبت‌نام سازمان را تأیید کرد — سازمان «انجمن یاوران بم» (شماره');
    // 1405/08/10 10:11 Tehran for the last row written above, in Persian digits.
    expect(text).toContain('۱۴۰۵/۰۸/۱۰ ساعت ۱۰:۱۱ — <b>پروین</b>: پیام را خواند — پیام شماره ۱۱۱');
    expect(text).toContain('صفحه ۱ از ۲');
    expect(text).toContain('<b>سامانه (خودکار)</b>: 1001 را بنا بر تنظیمات راه‌اندازی، راهبر سامانه کرد');
    expect(text).not.toContain('محرمانه');

    let mark = h.api.mark();
    province.pressButtonByText('بعدی ◀️');
    const second = String((await editIn(h, PROVINCE, mark)).params.text);
    expect(second).toContain('صفحه ۲ از ۲');
    expect(second).toContain('فعالیت سازمان را تعلیق کرد — سازمان «کانون سبز کرمان»');

    mark = h.api.mark();
    province.pressButtonByText('🗂 نوع کار');
    await editIn(h, PROVINCE, mark, (t) => t.includes('کدام نوع کار'));
    mark = h.api.mark();
    province.pressButtonByText('تصمیم‌های ثبت‌نام');
    const decisions = String((await editIn(h, PROVINCE, mark)).params.text);
    expect(decisions).toContain('نوع کار: تصمیم‌های ثبت‌نام');
    expect(decisions).toContain('(۲ مورد، تازه‌ترین نخست)');
    expect(decisions).not.toContain('پیام را خواند');

    // An NGO found by part of its name, typed with Arabic ي: its button opens its own trail.
    province.sendCommand('audit', 'ياوران');
    const matches = await province.waitForReply();
    const choice = inlineButtons(matches).find((b) => b.text.includes('انجمن یاوران بم'));
    expect(choice).toBeDefined();
    mark = h.api.mark();
    province.pressButton(choice!.callback_data!, messageIdOf(matches));
    const onBam = String((await editIn(h, PROVINCE, mark)).params.text);
    expect(onBam).toContain('(۱ مورد، تازه‌ترین نخست)');
    expect(onBam).toContain('سازمان: «انجمن یاوران بم»');

    // The county admin of Bam: the approval of their county's NGO, not Kerman's suspension or the office's reading.
    const county = h.api.user(COUNTY, { first_name: 'کاوه' });
    county.sendCommand('audit');
    const scoped = String((await county.waitForReply()).params.text);
    expect(scoped).toContain('(۱ مورد، تازه‌ترین نخست)');
    expect(scoped).toContain('سازمان‌های شهرستان شما');
    expect(scoped).not.toContain('کانون سبز کرمان');
    // Searching for Kerman's NGO by name finds nothing in Bam's scope.
    county.sendCommand('audit', 'کانون سبز');
    const outOfScope = await county.waitForReply();
    expect(inlineButtons(outOfScope).some((b) => b.text.includes('کانون سبز کرمان'))).toBe(false);
    county.sendCommand('audit', String(kerman.id));
    expect(String((await county.waitForReply()).params.text)).toContain('در حوزه دسترسی شما نیست');
    // A forged button naming Kerman's NGO shows nothing of it either.
    const forged = county.pressButton(`aud:0-a-${kerman.id}-0`);
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === forged.update.callback_query.id);
    expect(String(answer.params.text)).toContain('در حوزه دسترسی شما نیست');

    const manager = h.api.user(MANAGER_BAM, { first_name: 'مدیر' });
    manager.sendCommand('audit');
    expect((await manager.waitForReply()).params.text).toBe(NOT_ADMIN);
  });
});
