/**
 * What Bale (بله) lacks of Telegram's Bot API, as its client libraries show: no command menu and no
 * bot-profile methods. The fake answers these with 404 "Not Found: method not found" in Bale mode.
 */
export const BALE_MISSING_METHODS = [
  'setMyCommands',
  'deleteMyCommands',
  'getMyCommands',
  'setMyDescription',
  'getMyDescription',
  'setMyShortDescription',
  'getMyShortDescription',
  'setMyName',
  'getMyName',
  'setChatMenuButton',
  'getChatMenuButton',
] as const;
