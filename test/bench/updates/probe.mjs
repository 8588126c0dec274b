import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
/**
 * Preload for the bench's bot children (`node --import probe.mjs ...`): counts database statements and
 * transactions at the driver, and Redis commands, so the bench can report them per update without the
 * bot's cooperation. Answers {type:'stats'} over the IPC channel. BENCH_PROBE_DB=pg|pglite|none and
 * BENCH_PROBE_KV=redis|none say which drivers to patch; the echo bot gets none, so it loads no driver
 * it would not load anyway (its RSS stays its own).
 */
const counts = { queries: 0, transactions: 0, redis: 0 };
/** BENCH_PROBE_TRACE=1: statements by their first 70 characters, for finding where they go. */
const trace = process.env.BENCH_PROBE_TRACE === '1' ? new Map() : undefined;
function note(arg) {
  if (!trace) return;
  const text = (typeof arg === 'string' ? arg : arg && typeof arg.text === 'string' ? arg.text : '?')
    .replace(/\s+/g, ' ')
    .trim()
    // A prepared statement run on the embedded database (EXECUTE name('…', …)) counts by its name, not its values.
    .replace(/^(EXECUTE \w+)\(.*$/s, '$1(…)')
    .slice(0, 70);
  trace.set(text, (trace.get(text) ?? 0) + 1);
}

/** BEGIN may come as a string or as a query config object; either way it starts a transaction. */
function isBegin(arg) {
  const text = typeof arg === 'string' ? arg : arg && typeof arg.text === 'string' ? arg.text : '';
  return /^\s*BEGIN\b/i.test(text);
}

const db = process.env.BENCH_PROBE_DB ?? 'none';
if (db === 'pg') {
  // The bot's pg is the project's node_modules/pg, the same file this import resolves to.
  const { default: pg } = await import('pg');
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    counts.queries++;
    note(config);
    if (isBegin(config)) counts.transactions++;
    return original.call(this, config, ...rest);
  };
} else if (db === 'pglite') {
  const { PGlite } = await import('@electric-sql/pglite');
  const proto = PGlite.prototype;
  const query = proto.query;
  const exec = proto.exec;
  const transaction = proto.transaction;
  proto.query = function (...args) {
    counts.queries++;
    note(args[0]);
    if (isBegin(args[0])) counts.transactions++;
    return query.apply(this, args);
  };
  proto.exec = function (...args) {
    counts.queries++;
    if (isBegin(args[0])) counts.transactions++;
    return exec.apply(this, args);
  };
  // transaction() runs BEGIN/COMMIT and the callback's statements through private methods, so the
  // callback's tx object is wrapped instead; BEGIN and COMMIT count as two statements, as with pg.
  proto.transaction = function (callback) {
    counts.transactions++;
    counts.queries += 2;
    return transaction.call(this, (tx) => {
      const txQuery = tx.query;
      const txExec = tx.exec;
      tx.query = (...args) => {
        counts.queries++;
        note(args[0]);
        return txQuery(...args);
      };
      tx.exec = (...args) => {
        counts.queries++;
        return txExec(...args);
      };
      return callback(tx);
    });
  };
}
if (process.env.BENCH_PROBE_KV === 'redis') {
  const { Redis } = await import('ioredis');
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (...args) {
    counts.redis++;
    return send.apply(this, args);
  };
}

if (process.send) {
  process.on('message', (message) => {
    if (message && message.type === 'stats') {
      process.send?.({ type: 'stats', ...counts, ...(trace ? { trace: [...trace] } : {}), cpu: process.cpuUsage(), rss: process.memoryUsage().rss, memory: process.memoryUsage() });
      if (process.env.BENCH_MEMORY_DETAIL) {
        v8.setFlagsFromString('--expose-gc');
        runInNewContext('gc')();
        process.stderr.write(`probe memory after a full GC ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])))}\n`);
      }
      if (process.env.BENCH_MEMORY_DETAIL) process.stderr.write(`probe memory ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])))}\n`);
    }
  });
  // The channel must not keep a bot alive that would otherwise exit.
  process.channel?.unref();
}
