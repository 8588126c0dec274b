/** NGOs: registration, the office's review, profile, invites and membership; the office's search and management. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { profileEditForm } from './profile-edit-form.js';
import { ngoProfileFeature } from './profile-bot.js';
import { ngoRegistrationFeature, registrationForm } from './registration-form.js';
import { ngoReviewFeature } from './review-bot.js';
import { reasonForm } from './review-forms.js';
import { findForm } from './find-form.js';
import { manageFeature } from './manage-bot.js';
import { staffEditForm } from './staff-edit-form.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { createNgoService, type NgoService } from './service.js';
export type { Membership, NgoRecord, NgoStatus, RegistrationDraft } from './rules.js';
export { ngoPickerStep, PICKER_PAGE_SIZE, type NgoPickerData, type NgoPickerOptions } from './ngo-picker.js';

export const ngosModule: FeatureModule = {
  name: 'ngos',
  composer: new Handlers<BotContext>(ngoRegistrationFeature, ngoReviewFeature, ngoProfileFeature, manageFeature),
  forms: [registrationForm, profileEditForm, reasonForm, findForm, staffEditForm],
  commands: { member: ['profile', 'register', 'invite', 'members', 'leave'], admin: ['find', 'pending', 'ngo'] },
};
