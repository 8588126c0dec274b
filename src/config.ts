/**
 * The environment, parsed once at start-up. Every problem is reported together, in Persian and
 * English, so an operator fixes the .env file in one pass instead of one crash at a time.
 */
import { z } from 'zod';
import { foldForCompare } from './platform/text/index.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  BOT_TOKEN: z
    .string({ error: 'BOT_TOKEN' })
    .trim()
    .regex(/^\d{3,}:[A-Za-z0-9_-]{20,}$/, { error: 'BOT_TOKEN_FORMAT' }),
  BOT_API_ROOT: z.url({ error: 'BOT_API_ROOT' }).default('https://api.telegram.org'),
  /** Where deep links (invites) point; unset: https://ble.ir for Bale's API root, else https://t.me. */
  DEEP_LINK_ROOT: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'DEEP_LINK_ROOT' }).optional()),
  /** The Bot API's dialect; unset: bale for Bale's API root (tapi.bale.ai), else telegram. */
  BOT_PLATFORM: optionalString.pipe(z.enum(['telegram', 'bale'], { error: 'BOT_PLATFORM' }).optional()),
  DATABASE_URL: optionalString.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL' }).optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, { error: 'REDIS_URL' }).optional()),
  ADMIN_IDS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const parts = v.split(/[,\s]+/).filter(Boolean);
      const bad = parts.filter((p) => !/^\d{1,15}$/.test(p));
      if (bad.length) ctx.addIssue({ code: 'custom', message: 'ADMIN_IDS' });
      return parts.filter((p) => !bad.includes(p)).map((p) => BigInt(p));
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'LOG_LEVEL' }).default('info'),
  TZ: z.string().default('Asia/Tehran'),
  SEND_RATE: z.coerce.number({ error: 'SEND_RATE' }).positive({ error: 'SEND_RATE' }).max(10_000, { error: 'SEND_RATE' }).default(25),
  /** Port for /healthz and the webhook endpoint; unset = no HTTP server. */
  HTTP_PORT: optionalString.pipe(
    z
      .string()
      .regex(/^\d{1,5}$/, { error: 'HTTP_PORT' })
      .transform(Number)
      .pipe(z.number().int().min(1).max(65535, { error: 'HTTP_PORT' }))
      .optional(),
  ),
  /** Public HTTPS URL of the webhook; unset = long polling. */
  WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https$/, error: 'WEBHOOK_URL' }).optional()),
  WEBHOOK_SECRET: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, { error: 'WEBHOOK_SECRET' }).optional(),
  ),
  /** How NGOs reach the provincial office (phone, address, hours), shown wherever they are told to get in touch. */
  OFFICE_CONTACT: optionalString.pipe(z.string().max(500, { error: 'OFFICE_CONTACT' }).optional()),
  /** Each county governorate's contact, as JSON: {"کرمان": "۰۳۴-۳۲۲۲۰۰۰۰، ...", "بم": "..."}. */
  COUNTY_CONTACTS: optionalString.pipe(
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'COUNTY_CONTACTS' });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string().trim().min(1), z.string().trim().min(1).max(500), { error: 'COUNTY_CONTACTS' }))
      .optional(),
  ),
});

export type Config = z.output<typeof schema>;

/** Persian first, then English: the operator may read either. */
const explanations: Record<string, string> = {
  BOT_TOKEN: [
    'توکن ربات (BOT_TOKEN) تعریف نشده است. در تلگرام به @BotFather پیام دهید، با فرمان /newbot ربات بسازید',
    'و توکنی را که می‌دهد در فایل .env بنویسید:  BOT_TOKEN=123456:ABC...',
    'BOT_TOKEN is missing. Message @BotFather on Telegram, create a bot with /newbot and put the token it gives',
    'you in .env:  BOT_TOKEN=123456:ABC...',
  ].join('\n  '),
  BOT_TOKEN_FORMAT:
    'قالب BOT_TOKEN درست نیست (باید شبیه 123456:ABC-DEF... باشد). / BOT_TOKEN does not look like a bot token (123456:ABC-DEF...).',
  BOT_API_ROOT: 'BOT_API_ROOT باید یک نشانی کامل باشد. / BOT_API_ROOT must be a URL (https://api.telegram.org or https://tapi.bale.ai).',
  DEEP_LINK_ROOT: 'DEEP_LINK_ROOT باید یک نشانی کامل باشد (مانند https://t.me). / DEEP_LINK_ROOT must be a URL such as https://t.me',
  BOT_PLATFORM: 'BOT_PLATFORM یکی از telegram یا bale است. / BOT_PLATFORM must be telegram or bale.',
  DATABASE_URL: 'DATABASE_URL باید با postgresql:// شروع شود. / DATABASE_URL must start with postgresql://',
  REDIS_URL: 'REDIS_URL باید با redis:// شروع شود. / REDIS_URL must start with redis://',
  ADMIN_IDS: 'ADMIN_IDS باید شناسه‌های عددی جداشده با ویرگول باشد. / ADMIN_IDS must be numeric Telegram user ids separated by commas.',
  LOG_LEVEL: 'LOG_LEVEL یکی از fatal, error, warn, info, debug, trace, silent است. / LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent.',
  SEND_RATE: 'SEND_RATE باید عددی مثبت (پیام در ثانیه) باشد. / SEND_RATE must be a positive number of messages per second.',
  HTTP_PORT: 'HTTP_PORT باید شماره درگاه معتبر باشد. / HTTP_PORT must be a port number.',
  WEBHOOK_URL: 'WEBHOOK_URL باید یک نشانی https کامل باشد. / WEBHOOK_URL must be a full https URL.',
  WEBHOOK_SECRET:
    'WEBHOOK_SECRET باید ۱۶ تا ۲۵۶ نویسه از A-Z، a-z، 0-9، _ و - باشد. / WEBHOOK_SECRET must be 16-256 characters of A-Z a-z 0-9 _ -',
  OFFICE_CONTACT: 'OFFICE_CONTACT حداکثر ۵۰۰ نویسه است. / OFFICE_CONTACT is at most 500 characters.',
  COUNTY_CONTACTS:
    'COUNTY_CONTACTS باید JSON به شکل {"کرمان": "تلفن ..."} باشد. / COUNTY_CONTACTS must be JSON such as {"Kerman": "phone ..."} (county name to contact, each at most 500 characters).',
  WEBHOOK_NEEDS_SECRET:
    'با WEBHOOK_URL، تعریف WEBHOOK_SECRET و HTTP_PORT هم لازم است. / WEBHOOK_URL needs WEBHOOK_SECRET and HTTP_PORT too.',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

function isBaleApiRoot(apiRoot: string): boolean {
  return /(^|\.)bale\.ai$/.test(new URL(apiRoot).hostname);
}

export function deepLinkRootOf(config: Pick<Config, 'DEEP_LINK_ROOT' | 'BOT_API_ROOT' | 'BOT_PLATFORM'>): string {
  if (config.DEEP_LINK_ROOT) return config.DEEP_LINK_ROOT.replace(/\/+$/, '');
  return platformOf(config) === 'bale' ? 'https://ble.ir' : 'https://t.me';
}

/** Which Bot API dialect to speak: BOT_PLATFORM when set, else Bale for Bale's API root. */
export function platformOf(config: Pick<Config, 'BOT_API_ROOT' | 'BOT_PLATFORM'>): 'telegram' | 'bale' {
  return config.BOT_PLATFORM ?? (isBaleApiRoot(config.BOT_API_ROOT) ? 'bale' : 'telegram');
}

/** Where people are sent when told to get in touch: the office's contact and each county governorate's. */
export interface ContactDetails {
  office: string | undefined;
  /** A county's contact, its name compared folded ("قلعه گنج" finds "قلعه‌گنج"); undefined when not configured. */
  county(name: string): string | undefined;
}

export function contactDetailsOf(config: Pick<Config, 'OFFICE_CONTACT' | 'COUNTY_CONTACTS'>): ContactDetails {
  const counties = new Map(Object.entries(config.COUNTY_CONTACTS ?? {}).map(([name, contact]) => [foldForCompare(name), contact]));
  return { office: config.OFFICE_CONTACT, county: (name) => counties.get(foldForCompare(name)) };
}

let currentContacts: ContactDetails = contactDetailsOf({ OFFICE_CONTACT: undefined, COUNTY_CONTACTS: undefined });

/**
 * The contact details of the running app, set once by the composition root (createApp). Process-wide, as
 * TZ is: they are fixed for the process's life, and the texts that show them are made deep inside notices
 * of several features and jobs, where passing them down every call would touch every caller for one line.
 */
export function contactDetails(): ContactDetails {
  return currentContacts;
}

export function useContactDetails(details: ContactDetails): void {
  currentContacts = details;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = explanations[issue.message] ? issue.message : String(issue.path[0] ?? issue.message);
      problems.add(explanations[key] ?? `${key}: ${issue.message}`);
    }
  }
  // Checked on the raw values so that it is reported together with every other problem.
  if (env.WEBHOOK_URL?.trim() && (!env.WEBHOOK_SECRET?.trim() || !env.HTTP_PORT?.trim())) {
    problems.add(explanations.WEBHOOK_NEEDS_SECRET!);
  }
  if (problems.size > 0 || !parsed.success) throw new ConfigError([...problems]);
  return parsed.data;
}
