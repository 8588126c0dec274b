/**
 * The command menu Telegram shows next to the input field. Commands keep English names (Telegram
 * allows only a-z, 0-9 and _); descriptions are Persian by default and English for English clients.
 * Staff get a longer list scoped to their own chat, so members never see staff commands. The lists
 * come from the feature registry (each feature names its own commands).
 */
import type { Telegram } from 'telegraf';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language, type Translator } from '../i18n/index.js';
import type { Logger } from '../logger.js';
import { BoundedMap } from '../bounded-map.js';

type CommandsApi = Pick<Telegram, 'setMyCommands' | 'deleteMyCommands'>;

export interface CommandMenu {
  readonly member: readonly string[];
  readonly admin: readonly string[];
  /**
   * At start-up: the public lists, then each staff member's own (without the member commands `hide` names,
   * as setForChat). A failure is logged, never fatal.
   */
  publish(telegram: CommandsApi, staff: readonly { chatId: bigint; lang: Language; hide?: readonly string[] }[], logger: Logger): Promise<void>;
  /**
   * One person's own menu, set when their place changes (joined, left, registered, language): the
   * member list without the commands the caller says do not fit them, and the staff list for staff.
   */
  setForChat(telegram: CommandsApi, chatId: bigint, lang: Language, options: { hide: readonly string[]; staff: boolean }): Promise<void>;
  /** The member list (and the staff list for staff) that setForChat would show, in menu order. */
  visible(options: { hide: readonly string[]; staff: boolean }): string[];
}

export function createCommandMenu(lists: { member: readonly string[]; admin: readonly string[] }, translator: Translator): CommandMenu {
  const describe = (lang: Language, names: readonly string[]) =>
    names.map((command) => ({ command, description: translator.t(lang, `commands.${command}`) }));
  // What each chat was last given by this process: /start refreshes the menu, and sending Telegram the
  // same list again would cost a Bot API call on most updates. After a restart every chat is set once more.
  const lastSet = new BoundedMap<bigint, string>(20_000);
  const menu: CommandMenu = {
    member: lists.member,
    admin: lists.admin,
    async publish(telegram, staff, logger) {
      try {
        await telegram.setMyCommands(describe(DEFAULT_LANGUAGE, lists.member));
        for (const lang of LANGUAGES) await telegram.setMyCommands(describe(lang, lists.member), { language_code: lang });
        for (const person of staff) {
          await menu
            .setForChat(telegram, person.chatId, person.lang, { hide: person.hide ?? [], staff: true })
            .catch((err) => logger.warn({ err, adminId: String(person.chatId) }, 'could not set the admin command list'));
        }
      } catch (err) {
        logger.warn({ err }, 'could not publish the command lists');
      }
    },
    async setForChat(telegram, chatId, lang, options) {
      const names = menu.visible(options);
      const signature = `${lang}:${names.join(',')}`;
      if (lastSet.get(chatId) === signature) return;
      lastSet.delete(chatId);
      await telegram.setMyCommands(describe(lang, names), { scope: { type: 'chat', chat_id: Number(chatId) } });
      lastSet.set(chatId, signature);
    },
    visible({ hide, staff }) {
      return [...lists.member.filter((command) => !hide.includes(command)), ...(staff ? lists.admin : [])];
    },
  };
  return menu;
}
