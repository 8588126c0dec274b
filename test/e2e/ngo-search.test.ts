/**
 * The office's NGO search and management end to end, through the fake Bot API: /find by part of a name
 * however it is typed, the profile it opens, corrections of the record (audited with old and new values,
 * told to the manager), suspend and reactivate from the profile, the county scope against every way in
 * (search, the profile's buttons, forged callbacks), stale buttons, and the deadline form's NGO picker.
 */
import { describe, expect, it } from 'vitest';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, editIn, inlineButtons, inlineLabels, messageIdOf, NOT_ADMIN, reply, replyText } from '../support/conversation.js';
import { startOffice } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { createUser } from '../support/ngo-fixtures.js';

const ADMIN = 1001;
const COUNTY_ADMIN = 3003;
const MANAGER = 2002;
const MEMBER = 2003;
const OTHER_MANAGER = 2102;
const STRANGER = 4004;

const OTHER_COUNTY = 'این سازمان در شهرستان حوزه شما نیست.';
const PROFILE = 'پرونده سازمان';

const KERMAN_NGO = { managerId: MANAGER, managerFirstName: 'زهرا', name: 'انجمن حامیان محیط\u200cزیست کرمان', status: 'APPROVED' as const, members: [{ id: MEMBER, firstName: 'رضا' }] };
const RAFSANJAN_NGO = { managerId: OTHER_MANAGER, name: 'کانون محیط زیست رفسنجان', status: 'APPROVED' as const, countyName: 'رفسنجان' };
const PENDING_NGO = { managerId: 2500, name: 'انجمن محیط زیست در انتظار', status: 'PENDING' as const };

describe(`NGO search and management (${e2eStorageMode()} storage)`, () => {
  let h: Harness;

  /** The profile's current version, as the buttons under it name it. */
  const editData = (call: { replyMarkup?: unknown }) => inlineButtons(call as never).find((b) => b.callback_data?.startsWith('ngo_edit:'))!.callback_data!;

  it('when an admin finds an NGO by a name typed with Arabic letters and corrects its name from the profile, then it is saved, audited and the manager is told', async () => {
    const office = await startOffice({ adminIds: [ADMIN], ngos: [KERMAN_NGO, RAFSANJAN_NGO, PENDING_NGO] });
    h = office.h;
    const [kerman, rafsanjan, pending] = office.ngos;
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });

    // Arabic yeh, and a space where the name has a ZWNJ; every status, the status on the button when not approved.
    admin.sendCommand('find', 'محيط زيست');
    const results = await reply(admin, 'نتیجه جستجوی');
    expect(String(results.params.text)).toContain('۳ سازمان');
    expect(inlineButtons(results)).toEqual([
      { text: `انجمن حامیان محیط\u200cزیست کرمان (کرمان) — شماره ${toPersianDigits(kerman.id)}`, callback_data: `ngo_card:${kerman.id}` },
      { text: `انجمن محیط زیست در انتظار (کرمان) — در انتظار بررسی — شماره ${toPersianDigits(pending.id)}`, callback_data: `ngo_card:${pending.id}` },
      { text: `کانون محیط زیست رفسنجان (رفسنجان) — شماره ${toPersianDigits(rafsanjan.id)}`, callback_data: `ngo_card:${rafsanjan.id}` },
    ]);

    admin.pressButton(`ngo_card:${kerman.id}`, messageIdOf(results));
    const card = await reply(admin, PROFILE);
    const text = String(card.params.text);
    for (const part of ['وضعیت: تأییدشده', 'شهرستان: کرمان', 'اعضایی که در سامانه به سازمان پیوسته‌اند: ۲ نفر', 'رضا (عضو)', 'ثبت‌نام در دوره‌های آموزشی: ۰ مورد', 'مهلت‌ها: ۰ مورد']) {
      expect(text).toContain(part);
    }
    expect(inlineLabels(card)).toEqual(['✏️ اصلاح مشخصات', '👥 فهرست اعضا', '⏸ تعلیق']);

    const edit = admin.pressButtonByText('✏️ اصلاح مشخصات');
    const menu = await editIn(h, ADMIN, edit.mark, (t) => t.includes('کدام مورد'));
    expect(menu.params.message_id).toBe(messageIdOf(card));
    admin.pressButtonByText('نام سازمان');
    expect(await replyText(admin, 'مقدار فعلی')).toBe('مقدار فعلی: انجمن حامیان محیط\u200cزیست کرمان');
    await reply(admin, 'نام کامل سازمان را بنویسید');
    admin.sendText('ن');
    await reply(admin, 'دست‌کم باید ۲ حرف');
    admin.sendText('انجمن حامیان محیط‌زیست و منابع طبیعی كرمان');
    expect(await replyText(admin, 'اصلاح شد')).toBe('✅ مشخصات «انجمن حامیان محیط‌زیست و منابع طبیعی كرمان» اصلاح شد و به مدیر سازمان اطلاع داده شد.');
    expect(await replyText(admin, PROFILE)).toContain('نام سازمان: <b>انجمن حامیان محیط‌زیست و منابع طبیعی كرمان</b>');

    // Kept as typed (Arabic kaf and all); still APPROVED: the office's own correction is not sent back to review.
    expect(await h.db.prisma.ngo.findUnique({ where: { id: kerman.id } })).toMatchObject({ name: 'انجمن حامیان محیط‌زیست و منابع طبیعی كرمان', status: 'APPROVED' });
    expect(await h.db.prisma.auditLog.findMany({ where: { action: 'ngo.edited_by_staff' } })).toEqual([
      expect.objectContaining({
        actorId: BigInt(ADMIN),
        entityId: String(kerman.id),
        details: { changes: [{ item: 'name', from: 'انجمن حامیان محیط\u200cزیست کرمان', to: 'انجمن حامیان محیط‌زیست و منابع طبیعی كرمان' }] },
      }),
    ]);
    const told = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('اصلاح کرد'));
    expect(told.params.text).toBe(
      '📝 دفتر امور اجتماعی و فرهنگی استانداری مشخصات سازمان «انجمن حامیان محیط‌زیست و منابع طبیعی كرمان» را در سامانه اصلاح کرد:\nنام سازمان: <b>انجمن حامیان محیط‌زیست و منابع طبیعی كرمان</b>',
    );

    // The form is over: the next text is a plain message again, and the new words find the NGO.
    admin.sendCommand('find', 'منابع طبيعي');
    expect(inlineButtons(await reply(admin, 'نتیجه جستجوی')).map((b) => b.callback_data)).toEqual([`ngo_card:${kerman.id}`]);
  });

  it("when a county admin searches, opens or presses forged buttons for another county's NGO, then nothing of it is shown or changed", async () => {
    const office = await startOffice({
      adminIds: [ADMIN],
      staff: [{ id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'رفسنجان' }],
      ngos: [KERMAN_NGO, RAFSANJAN_NGO],
    });
    h = office.h;
    const [kerman, rafsanjan] = office.ngos;
    const countyAdmin = h.api.user(COUNTY_ADMIN, { first_name: 'علی' });
    await createUser(h.db, STRANGER, 'ناشناس');
    const stranger = h.api.user(STRANGER);

    countyAdmin.sendCommand('find', 'محیط زیست');
    const results = await reply(countyAdmin, 'نتیجه جستجوی');
    expect(inlineButtons(results).map((b) => b.callback_data)).toEqual([`ngo_card:${rafsanjan.id}`]);
    // By its tracking or registration number: not found within the county, and said so.
    countyAdmin.sendText(String(kerman.id));
    expect(await replyText(countyAdmin)).toBe(OTHER_COUNTY);

    // The Kerman NGO's version, from a profile the province admin opened.
    const admin = h.api.user(ADMIN);
    admin.sendCommand('find', String(kerman.id));
    const kermanCard = await reply(admin, PROFILE);
    const [, version] = editData(kermanCard).split(/[:-]/).slice(1);
    const forged = [`ngo_card:${kerman.id}`, `ngo_cardr:${kerman.id}`, `ngo_edit:${kerman.id}-${version}`, `ngo_edf:${kerman.id}-${version}-0`, `ngo_mem:${kerman.id}-0`];
    for (const data of forged) {
      const press = countyAdmin.pressButton(data, messageIdOf(results));
      expect((await answerTo(h, press)).params, data).toMatchObject({ show_alert: true, text: OTHER_COUNTY });
    }
    // Malformed data is a stale button and changes nothing either.
    const malformed = countyAdmin.pressButton(`ngo_edf:${rafsanjan.id}-${version}-x`, messageIdOf(results));
    expect((await answerTo(h, malformed)).params.text).toBe('این دکمه دیگر معتبر نیست.');
    // No form was started: text now is a new search in /find, not a new name for the NGO.
    countyAdmin.sendText('انجمن با نام دیگر');
    expect(await replyText(countyAdmin)).toContain('هیچ سازمانی با «انجمن با نام دیگر» پیدا نشد');
    expect(await h.db.prisma.ngo.findUnique({ where: { id: kerman.id } })).toMatchObject({ name: KERMAN_NGO.name });

    // A stranger and a member get no search at all.
    stranger.sendCommand('find', 'محیط');
    expect(await replyText(stranger)).toBe(NOT_ADMIN);
    const forgedByStranger = stranger.pressButton(`ngo_card:${kerman.id}`);
    expect((await answerTo(h, forgedByStranger)).params.text).toBe(NOT_ADMIN);
    await h.waitForIdle();
    expect(await h.db.prisma.auditLog.count({ where: { action: { startsWith: 'ngo.' } } })).toBe(0);
  });

  it('when the NGO changed after its profile was shown, then the old edit button changes nothing, says why and shows the NGO as it is', async () => {
    const office = await startOffice({ adminIds: [ADMIN], ngos: [KERMAN_NGO] });
    h = office.h;
    const [kerman] = office.ngos;
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    admin.sendCommand('find', 'حامیان');
    admin.pressButton(`ngo_card:${kerman.id}`, messageIdOf(await reply(admin, 'نتیجه جستجوی')));
    const card = await reply(admin, PROFILE);

    // Meanwhile the manager edits the NGO's description.
    await new Promise((r) => setTimeout(r, 5));
    await h.app.services.ngos.updateProfile(BigInt(MANAGER), { description: 'پاکسازی کوه‌های اطراف کرمان' });

    const press = admin.pressButtonByText('✏️ اصلاح مشخصات');
    expect(String((await answerTo(h, press)).params.text)).toContain('پس از نمایش این پرونده تغییر کرده است');
    const redrawn = await editIn(h, ADMIN, press.mark, (t) => t.includes(PROFILE));
    expect(redrawn.params.message_id).toBe(messageIdOf(card));
    expect(String(redrawn.params.text)).toContain('پاکسازی کوه‌های اطراف کرمان');
    expect(editData(redrawn)).not.toBe(editData(card));
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.edited_by_staff' } })).toBe(0);
  });

  it('when an admin suspends from the profile with a reason and later reactivates from it, then the manager is told both times and both are audited', async () => {
    const office = await startOffice({ adminIds: [ADMIN], ngos: [KERMAN_NGO] });
    h = office.h;
    const [kerman] = office.ngos;
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });

    admin.sendCommand('find', String(kerman.id));
    await reply(admin, PROFILE);
    admin.pressButtonByText('⏸ تعلیق');
    await reply(admin, 'دلیل تعلیق');
    admin.sendText('گزارش مالی طرح سال گذشته ارائه نشده است.');
    expect(await replyText(admin, 'تعلیق شد')).toBe('⏸ سازمان «انجمن حامیان محیط\u200cزیست کرمان» تعلیق شد.');
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تعلیق شد'));

    admin.sendCommand('find', 'حاميان');
    admin.pressButton(`ngo_card:${kerman.id}`, messageIdOf(await reply(admin, 'نتیجه جستجوی')));
    const suspended = await reply(admin, PROFILE);
    expect(String(suspended.params.text)).toContain('وضعیت: تعلیق‌شده');
    expect(inlineLabels(suspended)).toEqual(['✏️ اصلاح مشخصات', '👥 فهرست اعضا', '▶️ رفع تعلیق']);
    const reactivate = admin.pressButtonByText('▶️ رفع تعلیق');
    expect(String((await editIn(h, ADMIN, reactivate.mark)).params.text)).toContain('دوباره فعال شد');
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('برداشته شد'));

    expect(await h.db.prisma.ngo.findUnique({ where: { id: kerman.id } })).toMatchObject({ status: 'APPROVED' });
    const audit = await h.db.prisma.auditLog.findMany({ where: { entityId: String(kerman.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ['ngo.suspended', BigInt(ADMIN)],
      ['ngo.reactivated', BigInt(ADMIN)],
    ]);
  });

  it('when the members button is pressed, then the list comes a page at a time with a way back to the profile', async () => {
    const office = await startOffice({
      adminIds: [ADMIN],
      ngos: [{ ...KERMAN_NGO, members: Array.from({ length: 21 }, (_, i) => ({ id: 5000 + i, firstName: `عضو ${i + 1}` })) }],
    });
    h = office.h;
    const [kerman] = office.ngos;
    const admin = h.api.user(ADMIN);
    admin.sendCommand('find', String(kerman.id));
    const card = await reply(admin, PROFILE);
    expect(String(card.params.text)).toContain('… و ۱۷ نفر دیگر');

    const members = admin.pressButtonByText('👥 فهرست اعضا');
    const first = await editIn(h, ADMIN, members.mark, (t) => t.includes('۲۲ نفر'));
    expect(String(first.params.text)).toContain('صفحه ۱ از ۲');
    expect(inlineLabels(first)).toEqual(['بعدی »', '↩️ بازگشت به پرونده']);
    const next = admin.pressButtonByText('بعدی »');
    expect(String((await editIn(h, ADMIN, next.mark, (t) => t.includes('صفحه ۲ از ۲'))).params.text)).toContain('۲۲. عضو 21 — عضو');
    const back = admin.pressButtonByText('↩️ بازگشت به پرونده');
    expect((await editIn(h, ADMIN, back.mark, (t) => t.includes(PROFILE))).params.message_id).toBe(messageIdOf(card));
  });

  it('when the deadline form asks for the NGO, then the admin types part of its name, turns the pages of matches and picks one', async () => {
    const office = await startOffice({
      adminIds: [ADMIN],
      ngos: [PENDING_NGO, ...Array.from({ length: 10 }, (_, i) => ({ managerId: 2600 + i, name: `خیریه امید ${toPersianDigits(i + 1)}`, status: 'APPROVED' as const }))],
    });
    h = office.h;
    const admin = h.api.user(ADMIN);
    admin.sendCommand('new_deadline');
    await reply(admin, 'نوع مهلت');
    admin.pressButtonByText('📁 طرح مصوب یک سازمان (سه‌ماهه)');
    await reply(admin, 'شماره پیگیری');

    admin.sendText('خيريه اميد');
    const first = await reply(admin, 'صفحه ۱ از ۲');
    expect(inlineLabels(first)).toHaveLength(9);
    expect(inlineLabels(first)[0]).toContain('خیریه امید ۱ (کرمان)');
    const next = admin.pressButtonByText('بعدی »');
    const second = await editIn(h, ADMIN, next.mark, (t) => t.includes('صفحه ۲ از ۲'));
    // Persian dictionary order, digit by digit: ۱, ۱۰, ۲, … ۹.
    expect(inlineLabels(second)).toEqual([expect.stringContaining('خیریه امید ۸ (کرمان)'), expect.stringContaining('خیریه امید ۹ (کرمان)'), '« قبلی']);

    admin.pressButtonByText(inlineLabels(second)[1]!);
    expect(String((await reply(admin, 'عنوان طرح مصوب')).text)).toContain('«<b>خیریه امید ۹</b>»');
  });
});
