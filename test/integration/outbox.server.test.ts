/** The outbox and dispatcher on the PostgreSQL server, with Redis when TEST_REDIS_URL is set (outbox.suite.ts). */
import { describeWithServer } from '../support/servers.js';
import { outboxSuite } from './outbox.suite.js';

describeWithServer('outbox and dispatcher on the PostgreSQL server', { databaseUrl: true }, () => outboxSuite('server'));
