// Entry point; the implementation lives in ./fake-bot-api/.
export * from './fake-bot-api/index.js';
