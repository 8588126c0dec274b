/**
 * An NGO's registration end to end, through the fake Bot API: the whole form, each step's validation,
 * back, cancel, a restart half-way, a duplicate NGO, editing from the summary, and the reviewers' notice.
 */
import { describe, expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, command, inlineButtons, inlineLabels, press, replyLabels, say, STALE_BUTTON, t } from '../support/conversation.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startHarness, type Harness } from '../support/harness.js';

const ADMIN = 1001;
const MANAGER = 2002;
const OTHER_USER = 3003;

/** The bot's edit of the keyboard after a press (the fields' check marks). */
async function editedKeyboard(h: Harness, mark: number): Promise<string[]> {
  const call = await h.api.waitForCall('editMessageReplyMarkup', undefined, { after: mark });
  return inlineLabels(call);
}

/** Answers every step with valid input up to (not including) the named step's answer. */
async function fillUntil(h: Harness, user: FakeUser, stop: 'summary' | 'founded_year' | 'authority', number = '۱۲۳۴/۵۶'): Promise<RecordedCall> {
  user.sendCommand('register');
  await user.waitForReply((c) => c.text === t('ngo.form.ask_name'));
  expect((await say(user, 'انجمن حامیان محیط زیست کرمان')).text).toBe(t('ngo.form.ask_registration_number'));
  const authorityQuestion = await say(user, number);
  expect(authorityQuestion.text).toBe(t('ngo.form.ask_authority'));
  if (stop === 'authority') return authorityQuestion;
  expect((await press(user, 'سازمان بهزیستی')).text).toBe(t('ngo.form.ask_fields'));
  const mark = h.api.mark();
  user.pressButtonByText('محیط زیست');
  await editedKeyboard(h, mark);
  expect((await press(user, t('ngo.form.fields_done'))).text).toBe(t('ngo.form.ask_county'));
  const year = await press(user, 'کرمان');
  expect(year.text).toBe(t('ngo.form.ask_founded_year'));
  if (stop === 'founded_year') return year;
  expect((await say(user, '۱۳۹۸')).text).toBe(t('ngo.form.ask_member_count'));
  expect((await say(user, '۲۵')).text).toBe(t('ngo.form.ask_manager_name'));
  expect((await say(user, 'مریم احمدی')).text).toBe(t('ngo.form.ask_phone'));
  user.shareContact({ phone_number: '989121234567' });
  expect((await user.waitForReply()).text).toBe(t('ngo.form.ask_description'));
  const summary = await say(user, t('forms.skip'));
  expect(summary.text).toContain(t('ngo.form.summary_title'));
  return summary;
}

describe(`NGO registration (${e2eStorageMode()} storage)`, () => {
  it('when a manager fills in every step and confirms, then the NGO is stored pending with clean values and the admins get Approve / Reject', async () => {
    const h = await startHarness({ adminIds: [ADMIN] });
    const user = h.api.user(MANAGER, { first_name: 'مریم' });
    await command(user, 'start');

    user.sendCommand('register');
    expect((await user.waitForReply()).text).toBe(t('ngo.form.intro'));
    const askName = await user.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    // The first step has nowhere to go back to: only "cancel" under it.
    expect(replyLabels(askName)).toEqual(['✖️ انصراف']);

    expect((await say(user, 'انجمن حامیان محیط زیست كرمان')).text).toBe('۲. شماره ثبت یا شماره مجوز سازمان را بنویسید:');
    const authority = await say(user, '۱۲۳۴/۵۶');
    expect(authority.text).toBe(t('ngo.form.ask_authority'));
    expect(inlineLabels(authority)).toContain('استانداری / وزارت کشور');
    expect(inlineLabels(authority)).toContain('سایر مراجع');

    expect((await press(user, 'سایر مراجع')).text).toBe(t('ngo.form.ask_authority_other'));
    const fields = await say(user, 'شورای هماهنگی سمن‌ها');
    expect(fields.text).toBe(t('ngo.form.ask_fields'));
    expect(inlineLabels(fields)).toContain('محیط زیست');

    // Multi-select: each press edits the keyboard with a check mark; a second press takes it off.
    let mark = h.api.mark();
    user.pressButtonByText('محیط زیست');
    expect(await editedKeyboard(h, mark)).toContain('✅ محیط زیست');
    mark = h.api.mark();
    user.pressButtonByText('آموزش');
    let labels = await editedKeyboard(h, mark);
    expect(labels).toEqual(expect.arrayContaining(['✅ محیط زیست', '✅ آموزش']));
    mark = h.api.mark();
    user.pressButtonByText('✅ آموزش');
    labels = await editedKeyboard(h, mark);
    expect(labels).toContain('آموزش');
    expect(labels).not.toContain('✅ آموزش');
    mark = h.api.mark();
    user.pressButtonByText('سالمندان');
    await editedKeyboard(h, mark);

    expect((await press(user, t('ngo.form.fields_done'))).text).toBe(t('ngo.form.ask_county'));
    const year = await press(user, 'کرمان');
    expect(year.text).toBe(t('ngo.form.ask_founded_year'));
    // The county question is edited to show the choice, and its buttons go.
    const countyEdit = h.api.lastCall('editMessageText');
    expect(countyEdit?.text).toContain('✅ کرمان');
    expect(replyLabels(year)).toEqual(['⏭ گذر از این مرحله', t('forms.back'), '✖️ انصراف']);

    expect((await say(user, '۱۳۹۸')).text).toBe(t('ngo.form.ask_member_count'));
    // Arabic-Indic digits are read as digits too.
    expect((await say(user, '٢٥')).text).toBe(t('ngo.form.ask_manager_name'));
    const phone = await say(user, 'مریم احمدی');
    expect(phone.text).toBe(t('ngo.form.ask_phone'));
    expect(replyLabels(phone)).toContain('📱 ارسال شماره تلفن من');

    user.shareContact({ phone_number: '989121234567' });
    expect((await user.waitForReply()).text).toBe(t('ngo.form.ask_description'));
    const summary = await say(user, 'فعالیت در حفاظت از محیط زیست و آموزش <کودکان> & نوجوانان');
    const summaryText = String(summary.text);
    expect(summaryText).toContain('لطفاً اطلاعات را بررسی کنید');
    // The name is shown as typed, Arabic kaf and all.
    expect(summaryText).toContain('انجمن حامیان محیط زیست كرمان');
    expect(summaryText).toContain('۱۲۳۴/۵۶');
    expect(summaryText).toContain('شورای هماهنگی سمن‌ها');
    expect(summaryText).toContain('محیط زیست، سالمندان');
    expect(summaryText).toContain('سال تأسیس: ۱۳۹۸');
    expect(summaryText).toContain('تعداد اعضای اعلام‌شده: ۲۵');
    expect(summaryText).toContain('۰۹۱۲\u00A0۱۲۳\u00A0۴۵۶۷');
    expect(summaryText).toContain('&lt;کودکان&gt; &amp; نوجوانان');
    expect(inlineLabels(summary)).toEqual(['✅ تأیید و ارسال', '✏️ ویرایش یک مورد', '✖️ انصراف']);
    expect(await h.db.prisma.ngo.count()).toBe(0);

    const submitted = await press(user, '✅ تأیید و ارسال');
    const ngo = await h.db.prisma.ngo.findFirstOrThrow({ include: { fields: { include: { field: true } }, county: true } });
    expect(submitted.text).toContain('شماره پیگیری');
    expect(submitted.text).toContain(`<b>${String(ngo.id).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!)}</b>`);
    expect(replyLabels(submitted)).toContain('🏢 سازمان من');
    expect(ngo).toMatchObject({
      // The name is stored as typed (Arabic kaf kept); the registration number, parsed, in ASCII digits.
      name: 'انجمن حامیان محیط زیست كرمان',
      registrationNumber: '1234/56',
      authority: 'OTHER',
      authorityOther: 'شورای هماهنگی سمن‌ها',
      foundedYear: 1398,
      memberCount: 25,
      managerName: 'مریم احمدی',
      managerPhone: '+989121234567',
      status: 'PENDING',
      county: { name: 'کرمان' },
    });
    expect(ngo.fields.map((f) => f.field.name).sort()).toEqual(['سالمندان', 'محیط زیست'].sort());
    expect(await h.db.prisma.ngoMember.findUnique({ where: { userId: BigInt(MANAGER) } })).toMatchObject({ ngoId: ngo.id, role: 'MANAGER' });

    // The reviewers' notice comes through the outbox, with the decision buttons.
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('درخواست ثبت‌نام سازمان جدید'));
    expect(notice.text).toContain('انجمن حامیان محیط زیست كرمان');
    // The review feature owns what follows the NGO id in the data (e.g. a submission version).
    expect(inlineButtons(notice)).toEqual([
      { text: '✅ تأیید', callback_data: expect.stringMatching(new RegExp(`^ngo_ok:${ngo.id}(-|$)`)) },
      { text: '❌ رد', callback_data: expect.stringMatching(new RegExp(`^ngo_no:${ngo.id}(-|$)`)) },
    ]);
    expect(await h.db.prisma.outboxMessage.count()).toBeGreaterThan(0);

    // The old summary's confirm button does nothing a second time.
    const again = user.pressButton('reg:summary.confirm', (summary.response as { result: { message_id: number } }).result.message_id);
    expect((await answerTo(h, again)).params.text).toBe(STALE_BUTTON);
    expect(await h.db.prisma.ngo.count()).toBe(1);
  });

  // Two tests rather than one: the flood limit allows 40 updates a minute per user.
  it('when answers to the first steps are wrong, then a clear Persian message comes, the step is asked again, and nothing is stored', async () => {
    const h = await startHarness();
    const user = h.api.user(MANAGER, { first_name: 'Ali' });
    await command(user, 'start');
    user.sendCommand('register');
    await user.waitForReply((c) => c.text === t('ngo.form.ask_name'));

    // Name: emoji only, digits only, one letter, 10,000 characters, a photo.
    expect((await say(user, '😀😀😀')).text).toBe('نام سازمان باید از حروف تشکیل شده باشد؛ فقط عدد یا شکلک پذیرفته نمی‌شود.');
    expect((await say(user, '۱۲۳۴۵')).text).toBe(t('ngo.errors.name.no_letters'));
    expect((await say(user, 'ا')).text).toBe(t('ngo.errors.name.too_short'));
    expect((await say(user, 'ن'.repeat(10_000))).text).toBe(t('ngo.errors.name.too_long'));
    user.sendPhoto('انجمن');
    expect((await user.waitForReply()).text).toBe(t('forms.wrong_input'));
    expect((await user.waitForReply((c) => c.text === t('ngo.form.ask_name'))).text).toBe(t('ngo.form.ask_name'));

    expect((await say(user, 'انجمن سبز')).text).toBe(t('ngo.form.ask_registration_number'));
    // Registration number: letters, a single digit; then Arabic-Indic digits are accepted.
    expect((await say(user, 'abc')).text).toBe(t('ngo.errors.registration_number.format'));
    expect((await say(user, '۷')).text).toBe(t('ngo.errors.registration_number.format'));
    expect((await say(user, '٩٨٧٦')).text).toBe(t('ngo.form.ask_authority'));

    // Authority: text where a button is expected, a forged button, a button of another step.
    expect((await say(user, 'بهزیستی')).text).toBe('لطفاً یکی از دکمه‌های زیر پیام را انتخاب کنید.');
    const askedAgain = await user.waitForReply((c) => c.text === t('ngo.form.ask_authority'));
    expect(inlineLabels(askedAgain)).toContain('سازمان بهزیستی');
    const forged = user.pressButton('reg:authority.ROOT');
    await answerTo(h, forged);
    const otherStep = user.pressButton('reg:county.c1');
    expect((await answerTo(h, otherStep)).params.text).toBe(STALE_BUTTON);
    const junk = user.pressButton('reg:authority.<script>');
    expect((await answerTo(h, junk)).params.text).toBe(STALE_BUTTON);

    // Authority "other" with an emoji-only name.
    expect((await press(user, 'سایر مراجع')).text).toBe(t('ngo.form.ask_authority_other'));
    expect((await say(user, '🏛🏛')).text).toBe(t('ngo.errors.authority_other.no_letters'));
    expect((await say(user, 'شورای شهر')).text).toBe(t('ngo.form.ask_fields'));

    // Fields: confirm with none chosen, a field that does not exist, text.
    const none = user.pressButtonByText(t('ngo.form.fields_done'));
    const alert = await answerTo(h, none);
    expect(alert.params).toMatchObject({ text: 'دست‌کم یک حوزه فعالیت را انتخاب کنید.', show_alert: true });
    const missing = user.pressButton('reg:fields.f99999');
    await answerTo(h, missing);
    expect((await say(user, 'محیط زیست')).text).toBe(t('forms.use_buttons'));
    await user.waitForReply((c) => c.text === t('ngo.form.ask_fields'));
    const mark = h.api.mark();
    user.pressButtonByText('ورزش و جوانان');
    expect(await editedKeyboard(h, mark)).toContain('✅ ورزش و جوانان');
    expect((await press(user, t('ngo.form.fields_done'))).text).toBe(t('ngo.form.ask_county'));

    // County: a county that does not exist, a photo.
    const noCounty = user.pressButton('reg:county.c99999');
    await answerTo(h, noCounty);
    user.sendPhoto();
    expect((await user.waitForReply()).text).toBe(t('forms.use_buttons'));
    await user.waitForReply((c) => c.text === t('ngo.form.ask_county'));
    expect((await press(user, 'بم')).text).toBe(t('ngo.form.ask_founded_year'));
    expect(await h.db.prisma.ngo.count()).toBe(0);
  });

  it('when answers to the later steps are wrong, then a clear Persian message comes, skip works, and nothing is stored', async () => {
    const h = await startHarness();
    const user = h.api.user(MANAGER, { first_name: 'Ali' });
    await command(user, 'start');
    await fillUntil(h, user, 'founded_year');

    // Founded year: out of range, not a year; then skip.
    expect((await say(user, '۱۵۰۰')).text).toBe(t('ngo.errors.founded_year.range'));
    expect((await say(user, '1299')).text).toBe(t('ngo.errors.founded_year.range'));
    expect((await say(user, 'پارسال')).text).toBe(t('ngo.errors.founded_year.format'));
    expect((await say(user, t('forms.skip'))).text).toBe(t('ngo.form.ask_member_count'));

    // Member count: zero, a word; then skip.
    expect((await say(user, '۰')).text).toBe(t('ngo.errors.member_count.range'));
    expect((await say(user, 'زیاد')).text).toBe(t('ngo.errors.member_count.format'));
    expect((await say(user, t('forms.skip'))).text).toBe(t('ngo.form.ask_manager_name'));

    // Manager's name: digits in it, emoji only, too long.
    expect((await say(user, 'علی ۱۲۳')).text).toBe(t('ngo.errors.manager_name.no_letters'));
    expect((await say(user, '🙂🙂🙂')).text).toBe(t('ngo.errors.manager_name.no_letters'));
    expect((await say(user, 'ب'.repeat(10_000))).text).toBe(t('ngo.errors.manager_name.too_long'));
    expect((await say(user, 'علی رضایی')).text).toBe(t('ngo.form.ask_phone'));

    // Phone: someone else's contact, a forwarded contact, a contact without user id, a bad typed number.
    user.shareContact({ phone_number: '989121111111', user_id: OTHER_USER });
    expect((await user.waitForReply()).text).toBe(t('ngo.form.contact_not_own'));
    user.shareContact({ phone_number: '989121111111', forwarded: true });
    expect((await user.waitForReply()).text).toBe(t('ngo.form.contact_forwarded'));
    user.shareContact({ phone_number: '989121111111', user_id: null });
    expect((await user.waitForReply()).text).toBe(t('ngo.form.contact_not_own'));
    expect((await say(user, '12345')).text).toBe(t('ngo.errors.phone.format'));
    user.sendPhoto();
    expect((await user.waitForReply()).text).toBe(t('forms.wrong_input'));
    await user.waitForReply((c) => c.text === t('ngo.form.ask_phone'));
    // A typed number with Persian digits and spaces is the fallback.
    expect((await say(user, '۰۹۱۳ ۲۲۲ ۳۳۴۴')).text).toBe(t('ngo.form.ask_description'));

    // Description: 10,000 characters; then skip.
    expect((await say(user, 'توضیح '.repeat(2_000))).text).toBe(t('ngo.errors.description.too_long'));
    const summary = await say(user, t('forms.skip'));
    expect(summary.text).toContain(t('ngo.form.summary_title'));
    expect(summary.text).toContain('سال تأسیس: —');
    expect(summary.text).toContain('۰۹۱۳\u00A0۲۲۲\u00A0۳۳۴۴');

    // Summary: text instead of a button.
    expect((await say(user, 'تأیید')).text).toBe(t('forms.use_buttons'));
    await user.waitForReply((c) => String(c.text).includes(t('ngo.form.summary_title')));
    expect(await h.db.prisma.ngo.count()).toBe(0);

    expect((await press(user, '✖️ انصراف')).text).toBe(t('ngo.form.cancelled'));
    expect(await h.db.prisma.ngo.count()).toBe(0);
    expect(await h.db.prisma.ngoMember.count()).toBe(0);
    // The summary's buttons are dead after the form ended.
    const late = user.pressButton('reg:summary.confirm');
    expect((await answerTo(h, late)).params.text).toBe(STALE_BUTTON);
    expect(await h.db.prisma.ngo.count()).toBe(0);
  });

  it('when the user presses back, then the previous step is asked again; /cancel leaves and stores nothing', async () => {
    const h = await startHarness();
    const user = h.api.user(MANAGER, { first_name: 'Sara' });
    await command(user, 'start');
    await fillUntil(h, user, 'authority');

    // Back from a button step (the reply keyboard's back) and from a text step.
    expect((await say(user, t('forms.back'))).text).toBe(t('ngo.form.ask_registration_number'));
    expect((await say(user, t('forms.back'))).text).toBe(t('ngo.form.ask_name'));
    // On the first step, back asks the same question again.
    expect((await say(user, t('forms.back'))).text).toBe(t('ngo.form.ask_name'));
    expect((await say(user, 'انجمن جدید')).text).toBe(t('ngo.form.ask_registration_number'));
    expect((await say(user, '5555')).text).toBe(t('ngo.form.ask_authority'));
    expect((await press(user, 'سایر مراجع')).text).toBe(t('ngo.form.ask_authority_other'));
    expect((await say(user, t('forms.back'))).text).toBe(t('ngo.form.ask_authority'));

    user.sendCommand('cancel');
    const cancelled = await user.waitForReply();
    expect(cancelled.text).toBe('فرم نیمه‌کاره لغو شد. به منوی اصلی بازگشتید.');
    expect(replyLabels(cancelled)).toContain('🏢 سازمان من');
    expect(await h.db.prisma.ngo.count()).toBe(0);
    // The form is gone: its buttons are stale and text is not taken as an answer.
    const stale = user.pressButton('reg:authority.WELFARE');
    expect((await answerTo(h, stale)).params.text).toBe(STALE_BUTTON);
    expect((await say(user, 'انجمن جدید')).text).toContain('این پیام در این بخش شناخته نشد');

    // The "cancel" button of the reply keyboard does the same.
    user.sendCommand('register');
    await user.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    expect((await say(user, '✖️ انصراف')).text).toBe('فرم نیمه‌کاره لغو شد. به منوی اصلی بازگشتید.');
    expect(await h.db.prisma.ngo.count()).toBe(0);
  });

  it('when the bot restarts half-way, then the form resumes where it was and can be finished', async () => {
    const h = await startHarness({ adminIds: [ADMIN] });
    const user = h.api.user(MANAGER, { first_name: 'Reza' });
    await command(user, 'start');
    await fillUntil(h, user, 'founded_year');

    await h.restart();
    // The next answer is taken as the answer to the step the user was on.
    expect((await say(user, '1400')).text).toBe(t('ngo.form.ask_member_count'));

    await h.restart();
    // /start brings the question back with a note.
    user.sendCommand('start');
    expect((await user.waitForReply()).text).toBe(t('forms.resume', { form: t('ngo.form.title') }));
    expect((await user.waitForReply((c) => c.text === t('ngo.form.ask_member_count'))).text).toBe(t('ngo.form.ask_member_count'));

    expect((await say(user, '12')).text).toBe(t('ngo.form.ask_manager_name'));
    expect((await say(user, 'رضا کریمی')).text).toBe(t('ngo.form.ask_phone'));
    expect((await say(user, '+98 912 000 1122')).text).toBe(t('ngo.form.ask_description'));
    await say(user, t('forms.skip'));
    const submitted = await press(user, '✅ تأیید و ارسال');
    expect(submitted.text).toContain('شماره پیگیری');
    expect(await h.db.prisma.ngo.findFirst()).toMatchObject({ foundedYear: 1400, memberCount: 12, managerPhone: '+989120001122', status: 'PENDING' });
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('درخواست ثبت‌نام سازمان جدید'));
  });

  it('when the same number from the same authority is registered again, then the user is told at the authority step how to join instead', async () => {
    const h = await startHarness();
    const first = h.api.user(MANAGER, { first_name: 'First' });
    await command(first, 'start');
    await fillUntil(h, first, 'summary', '1234/56');
    await press(first, '✅ تأیید و ارسال');
    expect(await h.db.prisma.ngo.count()).toBe(1);

    const second = h.api.user(OTHER_USER, { first_name: 'Second' });
    await command(second, 'start');
    second.sendCommand('register');
    await second.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    await say(second, 'نام دیگری برای همان سازمان');
    // The same number typed with Persian digits is the same number.
    await say(second, '۱۲۳۴/۵۶');
    const duplicate = await press(second, 'سازمان بهزیستی');
    expect(duplicate.text).toBe(t('ngo.errors.duplicate', { name: 'انجمن حامیان محیط زیست کرمان' }));
    expect(duplicate.text).toContain('لینک دعوت');
    expect(replyLabels(duplicate)).toContain('🏢 سازمان من');
    // The form is over; nothing was stored for the second user.
    expect((await say(second, 'ادامه')).text).toContain('این پیام در این بخش شناخته نشد');
    expect(await h.db.prisma.ngo.count()).toBe(1);
    expect(await h.db.prisma.ngoMember.count()).toBe(1);

    // Another authority with the same number is another NGO; "other" names typed differently are one.
    second.sendCommand('register');
    await second.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    await say(second, 'انجمن دوم');
    await say(second, '1234/56');
    await press(second, 'سایر مراجع');
    expect((await say(second, 'شورای شهر')).text).toBe(t('ngo.form.ask_fields'));
    await h.db.prisma.ngo.updateMany({ data: { authority: 'OTHER', authorityOther: 'شوراي شهر', authorityKey: 'OTHER:شورای شهر' } });
    await say(second, t('forms.back'));
    await say(second, t('forms.back'));
    await press(second, 'سایر مراجع');
    expect((await say(second, 'شوراي  شهر')).text).toBe(t('ngo.errors.duplicate', { name: 'انجمن حامیان محیط زیست کرمان' }));

    // The manager of the first NGO cannot start a second registration.
    first.sendCommand('register');
    expect((await first.waitForReply()).text).toBe(t('ngo.errors.already_member'));
  });

  it('when a field is edited from the summary, then the form returns to the summary with the new value', async () => {
    const h = await startHarness();
    const user = h.api.user(MANAGER, { first_name: 'Nima' });
    await command(user, 'start');
    await fillUntil(h, user, 'summary');

    const choose = await press(user, '✏️ ویرایش یک مورد');
    expect(choose.text).toBe(t('ngo.form.choose_field_to_edit'));
    expect(inlineLabels(choose)).toContain('تعداد اعضای اعلام‌شده');
    expect((await press(user, 'تعداد اعضای اعلام‌شده')).text).toBe(t('ngo.form.ask_member_count'));
    expect((await say(user, '-3')).text).toBe(t('ngo.errors.member_count.format'));
    const summary = await say(user, '۳۰');
    expect(summary.text).toContain(t('ngo.form.summary_title'));
    expect(summary.text).toContain('تعداد اعضای اعلام‌شده: ۳۰');

    // An item that has more than one question (authority → other) also comes back to the summary.
    await press(user, '✏️ ویرایش یک مورد');
    await press(user, 'مرجع صدور مجوز');
    await press(user, 'سایر مراجع');
    const again = await say(user, 'دهیاری روستا');
    expect(again.text).toContain(t('ngo.form.summary_title'));
    expect(again.text).toContain('مرجع صدور مجوز: دهیاری روستا');

    await press(user, '✅ تأیید و ارسال');
    expect(await h.db.prisma.ngo.findFirst()).toMatchObject({ memberCount: 30, authority: 'OTHER', authorityOther: 'دهیاری روستا' });
  });
});
