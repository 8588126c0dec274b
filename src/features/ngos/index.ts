/** NGOs: registration, the office's review, profile, invites and membership. */
import { Composer } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { profileEditForm } from './profile-edit.js';
import { ngoProfileFeature } from './profile.js';
import { ngoRegistrationFeature, registrationForm } from './registration.js';
import { ngoReviewFeature, reviewForms } from './review.js';

export { createNgoService } from './service.js';

export const ngosModule: FeatureModule = {
  name: 'ngos',
  composer: Composer.compose<BotContext>([ngoRegistrationFeature, ngoReviewFeature, ngoProfileFeature]),
  forms: [registrationForm, profileEditForm, ...reviewForms],
  commands: { member: ['profile', 'register', 'invite', 'members', 'leave'], admin: ['pending', 'ngo'] },
};
