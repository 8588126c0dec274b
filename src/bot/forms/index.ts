/** Every form the bot knows, for the router and for resuming a form left half-way. */
import { broadcastForm } from '../features/broadcast.js';
import { courseForms } from '../features/courses.js';
import { deadlineForms } from '../features/deadlines.js';
import { feedbackForms } from '../features/feedback.js';
import { profileEditForm } from '../features/ngo-profile-edit.js';
import { registrationForm } from '../features/ngo-registration.js';
import { reviewForms } from '../features/ngo-review.js';
import type { FormRunner } from './engine.js';

export const FORMS: FormRunner[] = [registrationForm, profileEditForm, ...reviewForms, broadcastForm, ...feedbackForms, ...deadlineForms, ...courseForms];
