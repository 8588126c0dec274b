/** The outbox and dispatcher on embedded PGlite with the in-process key-value store (outbox.suite.ts). */
import { outboxSuite } from './outbox.suite.js';

outboxSuite('embedded');
