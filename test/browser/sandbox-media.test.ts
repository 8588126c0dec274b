/**
 * What a Telegram client must get right besides text, in the sandbox page in a real Chromium: the bot's
 * HTML shown as formatting and never as markup (the page is no XSS hole, whatever the bot or a person
 * writes), files both ways (a photo and a document sent from the page; the bot's chart and its Excel
 * export shown and downloadable), and the answers to button presses (a toast, an alert).
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { STALE_BUTTON, t } from '../support/conversation.js';
import { describeWithChromium, sandboxSession, screenshot, type ChatPage } from './support.js';

const PROVINCE = 1001;
const NEW_MANAGER = 2001;
/** Sunday 1405/09/01 10:00 Tehran. */
const SUNDAY_MORNING = new Date('2026-11-22T06:30:00Z');

/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8AARAwMDAwMAB/gA/1Ks6NGAAAAAElFTkSuQmCC',
  'base64',
);

/** In the page: an image's natural width once it has loaded (0 for a broken one). */
const loadedWidth = (img: unknown) => {
  const image = img as { complete: boolean; naturalWidth: number };
  return image.complete ? image.naturalWidth : -1;
};

describeWithChromium('the sandbox page: formatting, files and answers', () => {
  const session = sandboxSession({ clockStart: SUNDAY_MORNING });
  let page: Page;
  let chat: ChatPage;

  beforeAll(() => {
    ({ page, chat } = session);
    return page.evaluate(() => {
      (globalThis as unknown as { pwned: number }).pwned = 0;
    });
  });

  const pwned = () => page.evaluate(() => (globalThis as unknown as { pwned: number }).pwned);

  it('when the bot sends HTML and a person types markup, then the tags Telegram allows are formatting and everything else stays text', async () => {
    await chat.as(NEW_MANAGER);
    await session.under.sandbox.app.bot.telegram.sendMessage(
      NEW_MANAGER,
      '<b>پررنگ</b> <i>کج</i> <code>/help</code> &lt;img src=x onerror="window.pwned=1"&gt; ' +
        '<a href="https://example.org/راهنما">پیوند امن</a> <a href="javascript:window.pwned=2">پیوند بد</a>',
      { parse_mode: 'HTML' },
    );
    const message = await chat.waitFor('پررنگ');
    expect(await message.locator('b').innerText()).toBe('پررنگ');
    expect(await message.locator('i').innerText()).toBe('کج');
    expect(await message.locator('code').innerText()).toBe('/help');
    // The escaped tag is text, not an element.
    expect(await message.innerText()).toContain('<img src=x onerror="window.pwned=1">');
    expect(await message.locator('img').count()).toBe(0);
    expect(await message.locator('a', { hasText: 'پیوند امن' }).getAttribute('href')).toBe('https://example.org/%D8%B1%D8%A7%D9%87%D9%86%D9%85%D8%A7');
    // Telegram would refuse such a link; if one came, the page shows its words and no link.
    expect(await message.locator('a', { hasText: 'پیوند بد' }).count()).toBe(0);

    await chat.say('<script>window.pwned=3</script><img src=x onerror="window.pwned=4"> <b>نه</b>');
    const mine = page.locator('.msg.from-me', { hasText: '<script>' });
    await mine.waitFor();
    expect(await mine.locator('script, img, b').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await pwned()).toBe(0);
    await screenshot(page, '08-formatting-is-safe');
  });

  it('when a person sends a photo and a document from the page, then both show in the chat and come back as they were sent', async () => {
    await page.locator('#photo-input').setInputFiles({ name: 'بازدید.png', mimeType: 'image/png', buffer: PNG });
    const photo = page.locator('.msg.from-me img.photo').last();
    await photo.waitFor();
    await expect.poll(() => photo.evaluate(loadedWidth)).toBe(2);

    const csv = Buffer.from('\uFEFFنام,شهرستان\nانجمن,کرمان\n');
    await page.locator('#document-input').setInputFiles({ name: 'فهرست.csv', mimeType: 'text/csv', buffer: csv });
    const link = page.locator('.msg.from-me a.document').last();
    await link.waitFor();
    expect(await link.innerText()).toContain('فهرست.csv');
    const downloaded = await page.evaluate(async (href) => {
      const response = await fetch(href);
      return { type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), bytes: [...new Uint8Array(await response.arrayBuffer())] };
    }, (await link.getAttribute('href'))!);
    expect(Buffer.from(downloaded.bytes).equals(csv)).toBe(true);
    expect(downloaded.type).toBe('application/octet-stream');
    expect(downloaded.disposition).toContain("filename*=UTF-8''%D9%81%D9%87%D8%B1%D8%B3%D8%AA.csv");
  });

  it('when a file that is not an image is asked for as an image, then it is only ever a download', async () => {
    const html = Buffer.from('<html><script>window.parent.pwned=5</script></html>');
    await page.locator('#photo-input').setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: html });
    const broken = page.locator('.msg.from-me img.photo').last();
    await expect.poll(() => page.locator('.msg.from-me img.photo').count()).toBe(2);
    const src = (await broken.getAttribute('src'))!;
    const headers = await page.evaluate(async (href) => {
      const response = await fetch(href);
      return { type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition') };
    }, src);
    expect(headers.type).toBe('application/octet-stream');
    expect(headers.disposition).toContain('attachment');
    expect(await pwned()).toBe(0);
  });

  it('when the admin asks for statistics and an Excel export, then the chart is shown and the workbook downloads', async () => {
    await page.locator('#seed').click();
    await chat.expectText(page.locator('#status'), 'داده‌های نمونه استان کرمان ساخته شد');
    await chat.as(PROVINCE);
    await chat.say('/stats');
    const chart = page.locator('.msg.from-bot img.photo').last();
    await chart.waitFor({ timeout: 30_000 });
    await expect.poll(() => chart.evaluate(loadedWidth), { timeout: 15_000 }).toBe(1080);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, '09-stats-chart');

    await chat.ask('/export', 'کدام جدول');
    await chat.press(t('exports.tables.ngos'));
    await chat.waitFor('قالب فایل');
    await chat.press(t('exports.menu.format_xlsx'));
    const link = page.locator('.msg.from-bot a.document').last();
    await link.waitFor({ timeout: 30_000 });
    expect(await link.innerText()).toMatch(/ngos-.*\.xlsx/);
    const bytes = await page.evaluate(async (href) => [...new Uint8Array(await (await fetch(href)).arrayBuffer())].slice(0, 2), (await link.getAttribute('href'))!);
    // A workbook is a zip: "PK".
    expect(Buffer.from(bytes).toString('latin1')).toBe('PK');
    await screenshot(page, '10-export-document');
  });

  it('when someone adds a persona, then it is listed, chosen, and meets the bot as a new person with a number of its own', async () => {
    await page.locator('#add-persona input[name="firstName"]').fill('نیلوفر');
    await page.locator('#add-persona input[name="lastName"]').fill('صالحی');
    await page.locator('#add-persona button[type="submit"]').click();
    const persona = page.locator('.persona[aria-pressed="true"]');
    await chat.expectText(persona, 'نیلوفر صالحی');
    const id = Number(await persona.getAttribute('data-persona'));
    expect(id).toBeGreaterThanOrEqual(4001);
    await page.locator('#start-button').click();
    await chat.waitFor('سامانه');
    const user = await session.under.sandbox.app.db.prisma.user.findUnique({ where: { id: BigInt(id) } });
    expect(user?.firstName).toBe('نیلوفر');
    // An empty name is refused and adds no one.
    const count = await page.locator('.persona').count();
    const status = await page.evaluate(async () => (await fetch('/api/personas', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"firstName":"  "}' })).status);
    expect(status).toBe(400);
    expect(await page.locator('.persona').count()).toBe(count);
  });

  it('when a button answers with a toast or an alert, then the page shows it, and a forged button changes nothing', async () => {
    const forge = (data: string) =>
      page.evaluate(async (callbackData) => {
        const body = JSON.stringify({ messageId: 1, data: callbackData });
        return (await fetch('/api/personas/1001/press', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;
      }, data);
    const approvals = () => session.under.sandbox.app.db.prisma.auditLog.count({ where: { action: 'ngo.approved' } });
    const before = await approvals();
    await chat.as(PROVINCE);

    // Data no button of the bot carries: the stale-button toast.
    expect(await forge('zzz:1')).toBe(200);
    await chat.expectText(page.locator('#toast'), STALE_BUTTON);
    // An approve button for an NGO that does not exist: an alert, and nothing approved.
    expect(await forge('ngo_ok:999-1')).toBe(200);
    await page.locator('#alert[open]').waitFor();
    expect((await page.locator('#alert-text').innerText()).length).toBeGreaterThan(0);
    await screenshot(page, '11-alert');
    await page.locator('#alert-ok').click();
    expect(await approvals()).toBe(before);
  });
});
