/**
 * The command menu Telegram shows next to the input field. Commands keep English names (Telegram
 * allows only a-z, 0-9 and _); descriptions are Persian by default and English for English clients.
 * Admins get a longer list scoped to their own chat, so members never see admin commands.
 */
import type { Telegram } from 'telegraf';
import type { PrismaClient } from '../db/client.js';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language, type Translator } from '../i18n/index.js';
import type { Logger } from '../logger.js';

export const MEMBER_COMMANDS = [
  'start',
  'help',
  'profile',
  'register',
  'invite',
  'members',
  'leave',
  'deadlines',
  'courses',
  'my_courses',
  'request_course',
  'my_requests',
  'feedback',
  'my_feedback',
  'language',
  'cancel',
] as const;
export const ADMIN_COMMANDS = [
  'pending',
  'ngo',
  'broadcast',
  'broadcasts',
  'recurring',
  'new_deadline',
  'deadlines_admin',
  'deadline',
  'needs',
  'new_course',
  'manage_courses',
  'course',
  'inbox',
  'feedback_settings',
  'admins',
  'add_admin',
  'remove_admin',
] as const;

type CommandsApi = Pick<Telegram, 'setMyCommands' | 'deleteMyCommands'>;

function describe(translator: Translator, lang: Language, names: readonly string[]) {
  return names.map((command) => ({ command, description: translator.t(lang, `commands.${command}`) }));
}

export async function publishAdminCommands(telegram: CommandsApi, translator: Translator, chatId: bigint, lang: Language): Promise<void> {
  await telegram.setMyCommands(describe(translator, lang, [...MEMBER_COMMANDS, ...ADMIN_COMMANDS]), {
    scope: { type: 'chat', chat_id: Number(chatId) },
  });
}

export async function withdrawAdminCommands(telegram: CommandsApi, chatId: bigint): Promise<void> {
  await telegram.deleteMyCommands({ scope: { type: 'chat', chat_id: Number(chatId) } });
}

/** At start-up. Failing here (an API hiccup) must not stop the bot: it is logged and start-up goes on. */
export async function publishCommands(deps: { telegram: CommandsApi; translator: Translator; prisma: PrismaClient; logger: Logger }): Promise<void> {
  const { telegram, translator, prisma, logger } = deps;
  try {
    await telegram.setMyCommands(describe(translator, DEFAULT_LANGUAGE, MEMBER_COMMANDS));
    for (const lang of LANGUAGES) {
      await telegram.setMyCommands(describe(translator, lang, MEMBER_COMMANDS), { language_code: lang });
    }
    const admins = await prisma.admin.findMany({ include: { user: { select: { language: true } } } });
    for (const admin of admins) {
      const lang = isLanguage(admin.user.language) ? admin.user.language : DEFAULT_LANGUAGE;
      await publishAdminCommands(telegram, translator, admin.userId, lang).catch((err) =>
        logger.warn({ err, adminId: String(admin.userId) }, 'could not set the admin command list'),
      );
    }
  } catch (err) {
    logger.warn({ err }, 'could not publish the command lists');
  }
}
