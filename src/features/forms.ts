/** Every form the bot knows, for the router and for resuming a form left half-way. */
import { broadcastForm } from './broadcasts/bot.js';
import { courseForms } from './training/courses-bot.js';
import { deadlineForms } from './deadlines/bot.js';
import { feedbackForms } from './feedback/bot.js';
import { profileEditForm } from './ngos/profile-edit.js';
import { registrationForm } from './ngos/registration.js';
import { reviewForms } from './ngos/review.js';
import type { FormRunner } from '../platform/bot/forms/engine.js';

export const FORMS: FormRunner[] = [registrationForm, profileEditForm, ...reviewForms, broadcastForm, ...feedbackForms, ...deadlineForms, ...courseForms];
