/** Start, help, language and cancel: what every user meets first, and the catch-all for the rest. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { cancelFeature } from './cancel.js';
import { chatMemberFeature } from './chat-member.js';
import { helpFeature } from './help.js';
import { languageFeature } from './language.js';
import { startFeature } from './start.js';
import { unhandledFeature } from './unhandled.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { languageChoice, mainMenu } from './keyboards.js';
export { commandsFor, refreshCommandMenu, type CommandView } from './menu.js';

export const startModule: FeatureModule = {
  name: 'start',
  composer: new Handlers<BotContext>(chatMemberFeature, startFeature, helpFeature, languageFeature, cancelFeature),
  fallback: unhandledFeature,
  commands: { member: ['start', 'help', 'language', 'cancel'] },
};
