/**
 * The office's review of NGOs end to end: from the reviewers' notice, /pending and /ngo, through the
 * buttons, to the manager's notice in the outbox and the audit row. A decision is taken once, and only
 * by an admin who may take it.
 */
import { describe, expect, it } from 'vitest';
import { formatJalaliDate } from '../../src/platform/text/jalali.js';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, editIn, inlineButtons, messageIdOf, NOT_ADMIN, replyText } from '../support/conversation.js';
import { testClock } from '../support/fixtures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createAdmin, createNgo, createUser, registrationDraft } from '../support/ngo-fixtures.js';

const ADMIN = 1001;
const ADMIN2 = 1002;
const COUNTY_ADMIN = 3003;
const MANAGER = 2002;
const STRANGER = 4004;

const NEW_TITLE = 'درخواست ثبت‌نام سازمان جدید';

describe(`NGO review (${e2eStorageMode()} storage)`, () => {
  let h: Harness;

  /** A real registration through the service, whose reviewers' notice the admin receives. */
  async function registered(name = 'انجمن حامیان محیط زیست کرمان', countyName = 'کرمان') {
    await createUser(h.db, MANAGER, 'زهرا');
    h.api.user(MANAGER, { first_name: 'زهرا' });
    const draft = await registrationDraft(h.app.services.ngos, { name, countyName });
    return h.app.services.ngos.register(BigInt(MANAGER), draft);
  }

  it('when an admin approves from the reviewers\' notice, then the card shows the outcome without buttons, the manager is told and it is audited', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const ngo = await registered();

    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));
    // The buttons name the submission they were made for (id-version).
    expect(inlineButtons(notice).map((b) => b.callback_data)).toEqual([
      expect.stringMatching(new RegExp(`^ngo_ok:${ngo.id}-[0-9a-z]+$`)),
      expect.stringMatching(new RegExp(`^ngo_no:${ngo.id}-[0-9a-z]+$`)),
    ]);

    const press = admin.pressButtonByText('✅ تأیید');
    const edit = await editIn(h, ADMIN, press.mark);
    expect(edit.params.message_id).toBe(messageIdOf(notice));
    expect(String(edit.params.text)).toContain('✅ سازمان «انجمن حامیان محیط زیست کرمان» تأیید شد.');
    expect(String(edit.params.text)).toContain('وضعیت: تأییدشده');
    expect(inlineButtons(edit)).toEqual([]);
    expect((await answerTo(h, press)).response.ok).toBe(true);

    const told = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تأیید شد'));
    expect(told.params.text).toBe(
      '✅ ثبت‌نام سازمان «انجمن حامیان محیط زیست کرمان» در سامانه همکاری سازمان‌های مردم‌نهاد تأیید شد. از این پس اطلاعیه‌ها، دوره‌های آموزشی و مهلت‌ها از همین‌جا به شما می‌رسد.',
    );
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ status: 'APPROVED', reviewedBy: BigInt(ADMIN) });
    const audit = await h.db.prisma.auditLog.findMany({ where: { action: 'ngo.approved' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: BigInt(ADMIN), entityType: 'ngo', entityId: String(ngo.id) });
  });

  it('when the NGO edited its name after the notice, then the old notice\'s approve button approves nothing', async () => {
    const clock = testClock(new Date());
    h = await startHarness({ adminIds: [ADMIN], clock });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const ngo = await registered('انجمن قدیمی');
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));
    // The edit is a new submission: a second later, so its version differs.
    clock.advance(1100);
    await h.app.services.ngos.updateProfile(BigInt(MANAGER), { name: 'انجمن با نام تازه' });
    const oldApprove = inlineButtons(notice)[0]!.callback_data!;
    const press = admin.pressButton(oldApprove, messageIdOf(notice));
    const answer = await answerTo(h, press);
    expect(String(answer.params.text)).toContain('نسخه پیشین درخواست');
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ status: 'PENDING', name: 'انجمن با نام تازه' });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.approved' } })).toBe(0);
  });

  it('when an admin rejects, then a reason is asked and checked, and the manager receives it', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const ngo = await registered('کانون فرهنگی نگاه');
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));

    const press = admin.pressButtonByText('❌ رد');
    const ask = await admin.waitForReply();
    expect(ask.params.text).toBe('دلیل رد درخواست «کانون فرهنگی نگاه» را بنویسید؛ این دلیل برای مدیر سازمان فرستاده می‌شود:');
    expect((await answerTo(h, press)).response.ok).toBe(true);

    const tooShort = 'دلیل را بنویسید (دست‌کم ۳ نویسه و حداکثر ۵۰۰ نویسه).';
    admin.sendText('ن');
    expect(await replyText(admin)).toBe(tooShort);
    admin.sendText('x'.repeat(10_000));
    expect(await replyText(admin)).toBe(tooShort);
    admin.sendText('🙂🙂🙂🙂');
    expect(await replyText(admin)).toBe(tooShort);
    // A photo is not a reason: the explanation, then the question again.
    admin.sendPhoto();
    expect(await replyText(admin)).toBe(tooShort);
    await admin.waitForReply((c) => String(c.text).startsWith('دلیل رد درخواست'));
    expect((await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } }))?.status).toBe('PENDING');

    // The reason reaches the manager as the admin typed it: Arabic ي/ك and Arabic-Indic digits kept,
    // only the outer spaces trimmed.
    admin.sendText('  شماره ثبت با مجوز بهزيستي مطابقت ندارد؛ مدارك ٢ صفحه كم دارد.  ');
    const done = await admin.waitForReply();
    expect(done.params.text).toBe('❌ درخواست «کانون فرهنگی نگاه» رد شد.');
    const reason = 'شماره ثبت با مجوز بهزيستي مطابقت ندارد؛ مدارك ٢ صفحه كم دارد.';

    // The notice the decision started from is brought up to date and loses its buttons.
    const card = await editIn(h, ADMIN, press.mark, (t) => t.includes('رد شد'));
    expect(card.params.message_id).toBe(messageIdOf(notice));
    expect(String(card.params.text)).toContain(`دلیل: ${reason}`);
    expect(inlineButtons(card)).toEqual([]);

    const told = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تأیید نشد'));
    expect(told.params.text).toBe(
      `درخواست ثبت‌نام سازمان «کانون فرهنگی نگاه» تأیید نشد.\nدلیل: ${reason}\nمی‌توانید با \u200E/profile اطلاعات را اصلاح کنید تا درخواست دوباره بررسی شود.`,
    );
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ status: 'REJECTED', statusReason: reason });
    const audit = await h.db.prisma.auditLog.findFirst({ where: { action: 'ngo.rejected' } });
    expect(audit).toMatchObject({ actorId: BigInt(ADMIN), entityId: String(ngo.id), details: { from: 'PENDING', to: 'REJECTED', reason } });

    // The form is over: the next text is not taken as a reason.
    admin.sendText('سلام');
    expect(await replyText(admin)).not.toContain('رد شد');
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.rejected' } })).toBe(1);
  });

  it('when two admins press approve at the same moment, then one decision is taken and the other hears who took it', async () => {
    h = await startHarness({ adminIds: [ADMIN, ADMIN2] });
    const first = h.api.user(ADMIN, { first_name: 'مهسا' });
    const second = h.api.user(ADMIN2, { first_name: 'علی' });
    const ngo = await registered();
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));
    await h.api.waitForMessage(ADMIN2, (c) => String(c.text).includes(NEW_TITLE));

    const presses = [first.pressButtonByText('✅ تأیید'), second.pressButtonByText('✅ تأیید')];
    const answers = await Promise.all(presses.map((p) => answerTo(h, p)));

    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.approved' } })).toBe(1);
    const stored = await h.db.prisma.ngo.findUniqueOrThrow({ where: { id: ngo.id } });
    expect(stored.status).toBe('APPROVED');
    const winner = stored.reviewedBy === BigInt(ADMIN) ? 0 : 1;
    const loser = 1 - winner;
    const winnerName = winner === 0 ? 'مهسا' : 'علی';
    expect(answers[winner]!.params.text).toBeUndefined();
    expect(answers[loser]!.params).toMatchObject({ show_alert: true, text: `درباره این درخواست پیش‌تر تصمیم گرفته شده است (${winnerName}).` });

    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تأیید شد'));
    await h.waitForIdle();
    expect(h.api.sentMessages(MANAGER)).toHaveLength(1);
    expect(await h.db.prisma.outboxDelivery.count({ where: { chatId: BigInt(MANAGER) } })).toBe(1);
  });

  it('when the same admin presses approve twice, then one decision is taken and the second press is told it is decided', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const ngo = await registered();
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));

    const one = admin.pressButton(`ngo_ok:${ngo.id}`, messageIdOf(notice));
    const two = admin.pressButton(`ngo_ok:${ngo.id}`, messageIdOf(notice));
    const [a, b] = await Promise.all([answerTo(h, one), answerTo(h, two)]);
    expect(a.params.text).toBeUndefined();
    expect(b.params).toMatchObject({ show_alert: true, text: 'درباره این درخواست پیش‌تر تصمیم گرفته شده است (مهسا).' });

    // A later reject press on the decided NGO asks for no reason.
    const late = admin.pressButton(`ngo_no:${ngo.id}`, messageIdOf(notice));
    expect((await answerTo(h, late)).params.text).toBe('درباره این سازمان پیش‌تر تصمیم گرفته شده است؛ وضعیت کنونی: تأییدشده.');

    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تأیید شد'));
    await h.waitForIdle();
    expect(await h.db.prisma.auditLog.count({ where: { action: { in: ['ngo.approved', 'ngo.rejected'] } } })).toBe(1);
    expect(h.api.sentMessages(MANAGER)).toHaveLength(1);
    expect(h.api.sentMessages(ADMIN).filter((c) => String(c.text).includes('دلیل رد'))).toHaveLength(0);
  });

  it('when a non-admin presses an approve button taken from an admin\'s message, then only the callback is answered', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const ngo = await registered();
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(NEW_TITLE));
    const data = inlineButtons(notice)[0]!.callback_data!;

    // The NGO's own manager, and someone who has never written to the bot.
    const manager = h.api.user(MANAGER, { first_name: 'زهرا' });
    const stranger = h.api.user(STRANGER, { first_name: 'ناشناس' });
    for (const person of [manager, stranger]) {
      const before = h.api.sentMessages(person.id).length;
      const approve = person.pressButton(data, messageIdOf(notice));
      expect((await answerTo(h, approve)).params.text).toBe(NOT_ADMIN);
      const reject = person.pressButton(`ngo_no:${ngo.id}`, messageIdOf(notice));
      expect((await answerTo(h, reject)).params.text).toBe(NOT_ADMIN);
      await h.waitForIdle();
      expect(h.api.sentMessages(person.id)).toHaveLength(before);
    }
    // An admin's forged or malformed data is answered as stale and acts on nothing.
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    for (const forged of [`ngo_ok:${ngo.id}x`, 'ngo_ok:0', `ngo_ok:-${ngo.id}`, 'ngo_ok:99999999999']) {
      const press = admin.pressButton(forged, messageIdOf(notice));
      expect((await answerTo(h, press)).params.text).toBe('این دکمه دیگر معتبر نیست.');
    }

    await h.waitForIdle();
    expect(h.api.calls('editMessageText')).toHaveLength(0);
    expect((await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } }))?.status).toBe('PENDING');
    expect(await h.db.prisma.auditLog.count({ where: { action: { startsWith: 'ngo.' }, NOT: { action: 'ngo.registered' } } })).toBe(0);
  });

  it('when an admin sends /pending, then registrations come oldest first, five a page, in Persian digits and Jalali dates', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const base = Date.UTC(2026, 10, 1, 6, 0);
    const created: { id: number; name: string; at: Date }[] = [];
    // Created newest first, so the order shown comes from submittedAt and not from the ids.
    for (let i = 7; i >= 1; i--) {
      const at = new Date(base + i * 86_400_000);
      const ngo = await createNgo(h.db, { managerId: 5000 + i, name: `سمن شماره ${i}`, submittedAt: at });
      created.unshift({ ...ngo, at });
    }
    await createNgo(h.db, { managerId: 5100, name: 'سمن تأییدشده', status: 'APPROVED' });

    admin.sendCommand('pending');
    const list = await admin.waitForReply();
    const text = String(list.params.text);
    expect(text.split('\n')).toEqual([
      '<b>درخواست‌های در انتظار بررسی</b> (۷ مورد)، به ترتیب قدیمی‌ترین:',
      '',
      ...created.slice(0, 5).map((n, i) => `${'۱۲۳۴۵'[i]}. ${n.name} — کرمان — ${formatJalaliDate(n.at)}`),
      '',
      'صفحه ۱ از ۲',
    ]);
    const buttons = inlineButtons(list);
    expect(buttons.map((b) => b.callback_data)).toEqual([...created.slice(0, 5).map((n) => `ngo_view:${n.id}`), 'pend_pg:1']);
    expect(buttons[0]!.text).toBe(`۱. ${created[0]!.name}`);

    const next = admin.pressButtonByText('بعدی »');
    const page2 = await editIn(h, ADMIN, next.mark);
    expect(page2.params.message_id).toBe(messageIdOf(list));
    expect(String(page2.params.text)).toContain(`۶. ${created[5]!.name} — کرمان — ${formatJalaliDate(created[5]!.at)}`);
    expect(String(page2.params.text)).toContain(`۷. ${created[6]!.name}`);
    expect(String(page2.params.text)).toContain('صفحه ۲ از ۲');
    expect(inlineButtons(page2).map((b) => b.callback_data)).toEqual([`ngo_view:${created[5]!.id}`, `ngo_view:${created[6]!.id}`, 'pend_pg:0']);
    await answerTo(h, next);

    // An item opens as a card with the review buttons, which work like the notice's.
    const open = admin.pressButtonByText(`۶. ${created[5]!.name}`);
    const card = await admin.waitForReply();
    expect(String(card.params.text)).toContain(`نام سازمان: <b>${created[5]!.name}</b>`);
    expect(String(card.params.text)).toContain('وضعیت: در انتظار بررسی');
    expect(inlineButtons(card).map((b) => b.callback_data)).toEqual([
      expect.stringMatching(new RegExp(`^ngo_ok:${created[5]!.id}-[0-9a-z]+$`)),
      expect.stringMatching(new RegExp(`^ngo_no:${created[5]!.id}-[0-9a-z]+$`)),
    ]);
    await answerTo(h, open);
    const approve = admin.pressButton(`ngo_ok:${created[5]!.id}`, messageIdOf(card));
    await editIn(h, ADMIN, approve.mark, (t) => t.includes('تأیید شد'));

    admin.sendCommand('pending');
    expect(String((await admin.waitForReply()).params.text)).toContain('(۶ مورد)');
    // A page that no longer exists (the queue shrank) shows the last one.
    const stale = admin.pressButton('pend_pg:5', messageIdOf(list));
    const last = await editIn(h, ADMIN, stale.mark);
    expect(String(last.params.text)).toContain('صفحه ۲ از ۲');
    expect(String(last.params.text)).toContain(`۶. ${created[6]!.name}`);

    const member = h.api.user(MANAGER, { first_name: 'زهرا' });
    member.sendCommand('pending');
    expect((await member.waitForReply()).params.text).toBe(NOT_ADMIN);
  });

  it('when a county admin reviews, then only their county\'s registrations are listed and another county\'s cannot be decided', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    await createAdmin(h.db, COUNTY_ADMIN, 'COUNTY_ADMIN', { countyName: 'بم', firstName: 'رضا' });
    const countyAdmin = h.api.user(COUNTY_ADMIN, { first_name: 'رضا' });
    const bam = await createNgo(h.db, { managerId: 6001, name: 'خیریه ارگ بم', countyName: 'بم' });
    const kerman = await createNgo(h.db, { managerId: 6002, name: 'انجمن کرمان سبز', countyName: 'کرمان' });

    countyAdmin.sendCommand('pending');
    const list = String((await countyAdmin.waitForReply()).params.text);
    expect(list).toContain('(۱ مورد)');
    expect(list).toContain('خیریه ارگ بم');
    expect(list).not.toContain('انجمن کرمان سبز');

    const other = 'این سازمان در شهرستان حوزه شما نیست.';
    const approve = countyAdmin.pressButton(`ngo_ok:${kerman.id}`);
    expect((await answerTo(h, approve)).params).toMatchObject({ show_alert: true, text: other });
    const reject = countyAdmin.pressButton(`ngo_no:${kerman.id}`);
    expect((await answerTo(h, reject)).params.text).toBe(other);
    countyAdmin.sendCommand('ngo', String(kerman.id));
    expect((await countyAdmin.waitForReply()).params.text).toBe(other);
    expect((await h.db.prisma.ngo.findUnique({ where: { id: kerman.id } }))?.status).toBe('PENDING');

    // Pressed with no message attached (Telegram omits it for very old ones): the outcome still comes.
    const own = countyAdmin.pressButton(`ngo_ok:${bam.id}`);
    expect(await replyText(countyAdmin)).toContain('✅ سازمان «خیریه ارگ بم» تأیید شد.');
    await answerTo(h, own);
    expect(await h.db.prisma.ngo.findUnique({ where: { id: bam.id } })).toMatchObject({ status: 'APPROVED', reviewedBy: BigInt(COUNTY_ADMIN) });
    expect(await h.db.prisma.auditLog.findFirst({ where: { action: 'ngo.approved' } })).toMatchObject({ actorId: BigInt(COUNTY_ADMIN), entityId: String(bam.id) });
  });

  // Known service bug: notifyManager (src/services/ngos.ts) puts name and reason into an HTML message
  // unescaped, so the Bot API refuses the notice and the manager never hears. Drop `.fails` once fixed.
  it('when the NGO name and the reason hold HTML characters, then the manager still receives them as typed', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    h.api.user(MANAGER, { first_name: 'زهرا' });
    const ngo = await createNgo(h.db, { managerId: MANAGER, name: 'انجمن R&D <کرمان>' });
    admin.sendCommand('ngo', String(ngo.id));
    await admin.waitForReply();
    admin.pressButtonByText('❌ رد');
    // A name with Latin letters is isolated (FSI…PDI) so it cannot reorder the Persian around it.
    expect(await replyText(admin)).toContain('«\u2068انجمن R&amp;D &lt;کرمان&gt;\u2069»');
    admin.sendText('سن اعضا < 18 سال & مدارک ناقص');
    expect(await replyText(admin)).toBe('❌ درخواست «\u2068انجمن R&amp;D &lt;کرمان&gt;\u2069» رد شد.');
    const told = await h.api.waitForMessage(MANAGER, undefined, { timeoutMs: 3000 });
    expect(told.response.ok).toBe(true);
    expect(h.api.message(MANAGER, messageIdOf(told))).toMatchObject({ text: expect.stringContaining('دلیل: سن اعضا < 18 سال & مدارک ناقص') });
  });

  it('when an admin suspends with a reason and later reactivates, then the manager is told both times and both are audited', async () => {
    h = await startHarness({ adminIds: [ADMIN] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    h.api.user(MANAGER, { first_name: 'زهرا' });
    const ngo = await createNgo(h.db, { managerId: MANAGER, managerFirstName: 'زهرا', name: 'انجمن یاوران سلامت', status: 'APPROVED' });

    admin.sendCommand('ngo', 'abc');
    expect((await admin.waitForReply()).params).toMatchObject({ parse_mode: 'HTML', text: 'روش استفاده: \u200E<code>/ngo شماره‌پیگیری</code>' });
    admin.sendCommand('ngo', '999999');
    expect((await admin.waitForReply()).params.text).toBe('این سازمان پیدا نشد.');

    // The tracking number is shown in Persian digits, so it may come back typed that way.
    admin.sendCommand('ngo', String(ngo.id).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!));
    const card = await admin.waitForReply();
    expect(String(card.params.text)).toContain('وضعیت: تأییدشده');
    expect(inlineButtons(card).map((b) => [b.text, b.callback_data])).toEqual([['⏸ تعلیق', `ngo_susp:${ngo.id}`]]);

    // Leaving the reason form with /cancel changes nothing.
    admin.pressButtonByText('⏸ تعلیق');
    expect(await replyText(admin)).toBe('دلیل تعلیق «انجمن یاوران سلامت» را بنویسید؛ این دلیل برای مدیر سازمان فرستاده می‌شود:');
    admin.sendCommand('cancel');
    await admin.waitForReply();
    expect((await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } }))?.status).toBe('APPROVED');

    const suspend = admin.pressButtonByText('⏸ تعلیق');
    await admin.waitForReply();
    admin.sendText('گزارش مالی طرح سال گذشته ارائه نشده است.');
    expect(await replyText(admin)).toBe('⏸ سازمان «انجمن یاوران سلامت» تعلیق شد.');
    const suspendedCard = await editIn(h, ADMIN, suspend.mark, (t) => t.includes('تعلیق شد'));
    expect(suspendedCard.params.message_id).toBe(messageIdOf(card));
    const toldSuspended = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تعلیق شد'));
    expect(toldSuspended.params.text).toBe(
      'فعالیت سازمان «انجمن یاوران سلامت» در سامانه همکاری سازمان‌های مردم‌نهاد تعلیق شد.\nدلیل: گزارش مالی طرح سال گذشته ارائه نشده است.\nبرای پیگیری با دفتر امور اجتماعی و فرهنگی استانداری تماس بگیرید.',
    );
    expect(await h.db.prisma.auditLog.findFirst({ where: { action: 'ngo.suspended' } })).toMatchObject({
      actorId: BigInt(ADMIN),
      entityId: String(ngo.id),
      details: { from: 'APPROVED', to: 'SUSPENDED', reason: 'گزارش مالی طرح سال گذشته ارائه نشده است.' },
    });

    admin.sendCommand('ngo', String(ngo.id));
    const suspended = await admin.waitForReply();
    expect(String(suspended.params.text)).toContain('وضعیت: تعلیق‌شده');
    expect(inlineButtons(suspended).map((b) => [b.text, b.callback_data])).toEqual([['▶️ رفع تعلیق', `ngo_react:${ngo.id}`]]);

    const reactivate = admin.pressButtonByText('▶️ رفع تعلیق');
    const reactivated = await editIn(h, ADMIN, reactivate.mark);
    expect(String(reactivated.params.text)).toContain('▶️ سازمان «انجمن یاوران سلامت» دوباره فعال شد.');
    const toldBack = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('برداشته شد'));
    expect(toldBack.params.text).toBe('تعلیق سازمان «انجمن یاوران سلامت» برداشته شد و سازمان دوباره فعال است.');
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ status: 'APPROVED', statusReason: null });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.reactivated', actorId: BigInt(ADMIN) } })).toBe(1);

    // The old suspend card's button, pressed again, is refused politely and changes nothing.
    const again = admin.pressButton(`ngo_react:${ngo.id}`, messageIdOf(suspended));
    expect((await answerTo(h, again)).params.text).toBe('درباره این درخواست پیش‌تر تصمیم گرفته شده است (مهسا).');
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.reactivated' } })).toBe(1);
  });

  it('when the office and county contacts are configured, then a suspended manager is told whom to call, and so is a manager who tries to leave', async () => {
    h = await startHarness({
      adminIds: [ADMIN],
      env: { OFFICE_CONTACT: '۰۳۴-۳۲۲۱۰۰۰۰ (شنبه تا چهارشنبه)', COUNTY_CONTACTS: '{"قلعه گنج": "۰۳۴-۴۳۲۲۰۰۰۰", "بم": "۰۳۴-۴۴۲۱۰۰۰۰"}' },
    });
    const manager = h.api.user(MANAGER, { first_name: 'زهرا' });
    const ngo = await createNgo(h.db, { managerId: MANAGER, managerFirstName: 'زهرا', name: 'انجمن یاوران سلامت', status: 'APPROVED', countyName: 'قلعه‌گنج' });
    await h.app.services.ngos.suspend(BigInt(ADMIN), ngo.id, 'گزارش مالی نرسیده است.');
    const told = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تعلیق شد'));
    expect(told.params.text).toBe(
      'فعالیت سازمان «انجمن یاوران سلامت» در سامانه همکاری سازمان‌های مردم‌نهاد تعلیق شد.\nدلیل: گزارش مالی نرسیده است.\nبرای پیگیری با دفتر امور اجتماعی و فرهنگی استانداری تماس بگیرید.' +
        '\n\n☎️ راه تماس با فرمانداری شهرستان قلعه‌گنج: ۰۳۴-۴۳۲۲۰۰۰۰\n☎️ راه تماس با دفتر امور اجتماعی و فرهنگی استانداری: ۰۳۴-۳۲۲۱۰۰۰۰ (شنبه تا چهارشنبه)',
    );
    manager.sendCommand('leave');
    expect(await replyText(manager)).toBe(
      'مدیر سازمان نمی‌تواند از سازمان خارج شود. برای تغییر مدیر با دفتر امور اجتماعی و فرهنگی تماس بگیرید.\nراه تماس با دفتر: ۰۳۴-۳۲۲۱۰۰۰۰ (شنبه تا چهارشنبه)',
    );
  });
});
