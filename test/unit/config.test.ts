/**
 * Why: the operator of an NGO office fixes a broken .env by reading one message, possibly only in
 * Persian, so every problem must be in it at once and in both languages; and a deployment on Bale
 * must be as easy to configure as one on Telegram.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, contactDetails, contactDetailsOf, loadConfig, useContactDetails } from '../../src/config.js';

// Not 8-10 digits + 35 characters: the pre-commit check would take that for a real token.
const TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

const PERSIAN = /[\u0600-\u06FF]/;

describe('loadConfig', () => {
  it('when BOT_TOKEN is missing, then the error explains in Persian and English to ask @BotFather', () => {
    const err = configError({});
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain('توکن ربات (BOT_TOKEN) تعریف نشده است');
    expect(err.message).toContain('BOT_TOKEN is missing');
    expect(err.message).toContain('@BotFather');
    expect(err.message).toMatch(PERSIAN);
    expect(err.problems).toHaveLength(1);
  });

  it('when BOT_TOKEN is only blanks, then it is reported as malformed rather than accepted', () => {
    expect(configError({ BOT_TOKEN: '   ' }).message).toContain('BOT_TOKEN does not look like a bot token');
  });

  it('when several variables are wrong at once, then one error lists every problem', () => {
    const err = configError({
      BOT_TOKEN: 'not-a-token',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://x',
      ADMIN_IDS: '12,abc',
      LOG_LEVEL: 'loud',
      SEND_RATE: '-1',
      HTTP_PORT: 'abc',
      WEBHOOK_URL: 'https://bot.example.org/hook',
    });
    const expected = [
      'BOT_TOKEN does not look like a bot token',
      'DATABASE_URL must start with postgresql://',
      'REDIS_URL must start with redis://',
      'ADMIN_IDS must be numeric',
      'LOG_LEVEL must be one of',
      'SEND_RATE must be a positive number',
      'HTTP_PORT must be a port number',
      'WEBHOOK_URL needs WEBHOOK_SECRET',
    ];
    for (const text of expected) expect(err.message).toContain(text);
    expect(err.problems).toHaveLength(expected.length);
    // Each line carries its Persian half too, for an operator who reads only Persian.
    for (const problem of err.problems) expect(problem).toMatch(PERSIAN);
  });

  it('when WEBHOOK_URL is the only problem, then it is reported', () => {
    const err = configError({ BOT_TOKEN: TOKEN, WEBHOOK_URL: 'https://bot.example.org/hook' });
    expect(err.problems).toEqual([expect.stringContaining('WEBHOOK_URL needs WEBHOOK_SECRET')]);
  });

  it('when HTTP_PORT is out of range, then it is reported now rather than failing at start-up after the migrations', () => {
    expect(configError({ BOT_TOKEN: TOKEN, HTTP_PORT: '70000' }).message).toContain('HTTP_PORT must be a port number');
  });

  it('when WEBHOOK_URL is plain http, then it is refused (Telegram only calls https webhooks)', () => {
    const err = configError({
      BOT_TOKEN: TOKEN,
      WEBHOOK_URL: 'http://bot.example.org/hook',
      WEBHOOK_SECRET: 'secret-secret-secret',
      HTTP_PORT: '8080',
    });
    expect(err.message).toContain('WEBHOOK_URL must be a full https URL');
  });

  it('when only BOT_TOKEN is set, then the documented defaults apply', () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN });
    expect(config).toMatchObject({
      BOT_TOKEN: TOKEN,
      BOT_API_ROOT: 'https://api.telegram.org',
      DATA_DIR: './data',
      SEND_RATE: 25,
      LOG_LEVEL: 'info',
      TZ: 'Asia/Tehran',
      ADMIN_IDS: [],
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.HTTP_PORT).toBeUndefined();
    expect(config.WEBHOOK_URL).toBeUndefined();
  });

  it('when ADMIN_IDS has spaces around and between ids, then they are parsed to bigints', () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, ADMIN_IDS: ' 12, 345 ,6789012345  7 ' });
    expect(config.ADMIN_IDS).toEqual([12n, 345n, 6789012345n, 7n]);
  });

  it('when REDIS_URL and DATABASE_URL are empty lines, then they mean "none", not an error', () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, REDIS_URL: '', DATABASE_URL: '  ', HTTP_PORT: '' });
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.HTTP_PORT).toBeUndefined();
  });

  it("when BOT_API_ROOT is Bale's, then it is accepted as is", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN, BOT_API_ROOT: 'https://tapi.bale.ai' }).BOT_API_ROOT).toBe('https://tapi.bale.ai');
  });

  it('when a full webhook setup is given, then it is accepted with the port as a number', () => {
    const config = loadConfig({
      BOT_TOKEN: ` ${TOKEN} `,
      WEBHOOK_URL: 'https://bot.example.org/hook',
      WEBHOOK_SECRET: 'secret_secret-secret',
      HTTP_PORT: '8443',
      DATABASE_URL: 'postgresql://u:p@db:5432/bot',
      REDIS_URL: 'rediss://cache:6380',
      SEND_RATE: '1.5',
    });
    expect(config).toMatchObject({ BOT_TOKEN: TOKEN, HTTP_PORT: 8443, SEND_RATE: 1.5, REDIS_URL: 'rediss://cache:6380' });
  });
});

describe('deep links', () => {
  const token = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';
  it('when the bot runs on Telegram, then invite links point to t.me', async () => {
    const { deepLinkRootOf, loadConfig } = await import('../../src/config.js');
    expect(deepLinkRootOf(loadConfig({ BOT_TOKEN: token }))).toBe('https://t.me');
  });
  it('when the bot runs on Bale, then invite links point to ble.ir unless DEEP_LINK_ROOT says otherwise', async () => {
    const { deepLinkRootOf, loadConfig } = await import('../../src/config.js');
    expect(deepLinkRootOf(loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://tapi.bale.ai' }))).toBe('https://ble.ir');
    expect(deepLinkRootOf(loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://tapi.bale.ai', DEEP_LINK_ROOT: 'https://example.org/' }))).toBe('https://example.org');
  });

  it('when BOT_PLATFORM is unset, then Bale is spoken for Bale\'s API root and Telegram otherwise', async () => {
    const { platformOf } = await import('../../src/config.js');
    expect(platformOf(loadConfig({ BOT_TOKEN: token }))).toBe('telegram');
    expect(platformOf(loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://tapi.bale.ai' }))).toBe('bale');
    expect(platformOf(loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://tapi.bale.ai/', BOT_PLATFORM: ' ' }))).toBe('bale');
  });

  it('when BOT_PLATFORM is set, then it wins over the API root, and a Bale bot behind a proxy gets ble.ir links', async () => {
    const { deepLinkRootOf, platformOf } = await import('../../src/config.js');
    const proxied = loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://bot-proxy.example.org', BOT_PLATFORM: 'bale' });
    expect(platformOf(proxied)).toBe('bale');
    expect(deepLinkRootOf(proxied)).toBe('https://ble.ir');
    expect(platformOf(loadConfig({ BOT_TOKEN: token, BOT_API_ROOT: 'https://tapi.bale.ai', BOT_PLATFORM: 'telegram' }))).toBe('telegram');
  });

  it('when BOT_PLATFORM is neither telegram nor bale, then the operator is told in Persian and English', () => {
    const error = configError({ BOT_TOKEN: token, BOT_PLATFORM: 'eitaa' });
    expect(error.problems).toEqual(['BOT_PLATFORM یکی از telegram یا bale است. / BOT_PLATFORM must be telegram or bale.']);
  });

  it('when the office and county contacts are set, then they are read, a county is found however its name is spaced, and an unknown one has none', () => {
    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      OFFICE_CONTACT: ' ۰۳۴-۳۲۲۱۰۰۰۰، شنبه تا چهارشنبه ۸ تا ۱۴ ',
      COUNTY_CONTACTS: '{"قلعه‌گنج": "۰۳۴-۴۳۲۲۰۰۰۰", "بم": "۰۳۴-۴۴۲۱۰۰۰۰"}',
    });
    expect(config.OFFICE_CONTACT).toBe('۰۳۴-۳۲۲۱۰۰۰۰، شنبه تا چهارشنبه ۸ تا ۱۴');
    const contacts = contactDetailsOf(config);
    expect(contacts.office).toBe('۰۳۴-۳۲۲۱۰۰۰۰، شنبه تا چهارشنبه ۸ تا ۱۴');
    expect(contacts.county('قلعه گنج')).toBe('۰۳۴-۴۳۲۲۰۰۰۰');
    expect(contacts.county('کرمان')).toBeUndefined();
    // What the app uses is what its composition root set; a configuration without them has none.
    useContactDetails(contacts);
    expect(contactDetails().county('بم')).toBe('۰۳۴-۴۴۲۱۰۰۰۰');
    useContactDetails(contactDetailsOf(loadConfig({ BOT_TOKEN: TOKEN })));
    expect(contactDetails().office).toBeUndefined();
    expect(contactDetails().county('بم')).toBeUndefined();
  });

  it('when COUNTY_CONTACTS is not a JSON object of names to contacts, then it is reported in Persian and English', () => {
    for (const bad of ['کرمان=۰۳۴', '["کرمان"]', '{"کرمان": ""}', '{"کرمان": 34}']) {
      const err = configError({ BOT_TOKEN: TOKEN, COUNTY_CONTACTS: bad });
      expect(err.problems).toHaveLength(1);
      expect(err.message).toContain('COUNTY_CONTACTS باید JSON');
      expect(err.message).toContain('COUNTY_CONTACTS must be JSON');
    }
  });
});
