/**
 * The sandbox: the real bot (createApp, its database, outbox, dispatcher and scheduler) against the Bot
 * API emulator in this process, a clock the page can move, the people one can be, and a page on
 * loopback to chat as them. No token, no network.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { FEATURES } from '../features/index.js';
import type { Database } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { SandboxChats } from './chats.js';
import { dueSlots, jumpTarget, SandboxClock, type ClockJump } from './clock.js';
import type { BotApiEmulator, EmulatedUser, StartEmulator } from './emulator.js';
import { SandboxFiles } from './files.js';
import { ensurePersonaRoles, SandboxStateFile, SUPER_ADMIN_ID, type Persona } from './personas.js';
import { isLoopbackHost } from './safety.js';
import { seedDemoData, type SeedOutcome } from './seed.js';
import { startWebServer, type WebServer } from './web.js';

export interface SandboxOptions {
  startEmulator: StartEmulator;
  /** The sandbox's own folder: its embedded database, sandbox.json (people, clock) and chats.json (transcripts). */
  dataDir: string;
  host: string;
  /** 0: any free port. */
  port: number;
  logger: Logger;
  /** A database already open (the browser tests hand in the test database); else the embedded one in dataDir. */
  db?: Database;
  /**
   * false (the default): Telegram's pacing of one message a second per chat, as in production.
   * true: no wait between a chat's messages (tests).
   */
  unpaced?: boolean;
  /** Where the clock starts when the data folder has none yet (tests: a working morning); default now. */
  clockStart?: Date;
}

export interface Sandbox {
  readonly url: string;
  readonly app: App;
  readonly emulator: BotApiEmulator;
  readonly clock: SandboxClock;
  close(): Promise<void>;
}

export const BOT_PROFILE = { username: 'ngo_sandbox_bot', first_name: 'سامانه سمن‌ها (آزمایشی)' };

/** What the page may do; every method checks its input, and a bad one changes nothing. */
export class SandboxActions {
  readonly files: SandboxFiles;

  constructor(
    readonly app: App,
    readonly emulator: BotApiEmulator,
    readonly chats: SandboxChats,
    readonly state: SandboxStateFile,
    readonly clock: SandboxClock,
  ) {
    this.files = new SandboxFiles(emulator);
  }

  publicState() {
    return {
      bot: BOT_PROFILE,
      personas: this.state.state.personas,
      now: this.clock.now().toISOString(),
    };
  }

  chat(personaId: number): ReturnType<SandboxChats['view']> {
    return this.chats.view(this.personaOrThrow(personaId).id);
  }

  sendText(personaId: number, text: unknown): void {
    if (typeof text !== 'string' || text.trim() === '' || text.length > 4096) throw new BadInput('text');
    this.act(personaId, (user) => user.sendText(text));
  }

  /** "Share my contact": always the persona's own number, as Telegram's button sends. */
  shareContact(personaId: number): void {
    const persona = this.personaOrThrow(personaId);
    this.act(personaId, (user) => user.shareContact({ phone_number: persona.phone }));
  }

  press(personaId: number, messageId: unknown, data: unknown): void {
    if (!Number.isSafeInteger(messageId) || typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64) throw new BadInput('button');
    this.act(personaId, (user) => user.pressButton(data, messageId as number));
  }

  /** A t.me link to this bot opened in the page: "/start <payload>", as Telegram sends it. */
  openStartLink(personaId: number, payload: unknown): void {
    if (typeof payload !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(payload)) throw new BadInput('link');
    this.act(personaId, (user) => user.sendText(`/start ${payload}`));
  }

  sendFile(personaId: number, kind: 'photo' | 'document', input: { bytes: Buffer; name: string; caption: string | undefined }): void {
    if (input.bytes.length === 0) throw new BadInput('file');
    if (input.caption !== undefined && input.caption.length > 1024) throw new BadInput('caption');
    const name = input.name.trim().slice(0, 200) || (kind === 'photo' ? 'photo.jpg' : 'file');
    this.act(personaId, (user) => {
      const sent = kind === 'photo' ? user.sendPhoto(input.caption) : user.sendDocument(name, input.caption, { file_size: input.bytes.length });
      const message = (sent.update as { message?: { photo?: { file_id: string }[]; document?: { file_id: string } } }).message;
      const fileId = message?.document?.file_id ?? message?.photo?.at(-1)?.file_id;
      if (fileId) this.files.remember(fileId, { bytes: input.bytes, name });
      return sent;
    });
  }

  async addPersona(input: { firstName?: unknown; lastName?: unknown }): Promise<Persona> {
    const persona = this.state.add(input);
    await this.state.save();
    this.emulator.user(persona.id, { first_name: persona.firstName, last_name: persona.lastName || undefined, language_code: 'fa' });
    this.chats.emit({ type: 'personas' });
    return persona;
  }

  async seed(): Promise<SeedOutcome> {
    const outcome = await seedDemoData(this.app.db.prisma, this.app.services, this.clock);
    this.app.dispatcher.wake();
    return outcome;
  }

  /** Moves the clock and runs, in order, the cron slots it passed; then lets the outbox send what came due. */
  async advanceClock(jump: ClockJump): Promise<{ now: string; ran: { job: string; slot: string; outcome: string }[] }> {
    const from = this.clock.now();
    const to = jumpTarget(from, jump);
    this.clock.moveTo(to);
    this.state.state.clockOffsetMs = this.clock.offset;
    await this.state.save();
    this.chats.emit({ type: 'clock', now: this.clock.now().toISOString() });
    const jobs = FEATURES.flatMap((f) => f.jobs ?? []);
    const ran = [];
    for (const { job, slot } of dueSlots(jobs, from, to)) {
      const outcome = await this.app.scheduler.runSlot(job, slot);
      ran.push({ job, slot: slot.toISOString(), outcome });
    }
    this.app.dispatcher.wake();
    return { now: this.clock.now().toISOString(), ran };
  }

  private personaOrThrow(personaId: number): Persona {
    const persona = this.state.persona(personaId);
    if (!persona) throw new BadInput('persona');
    return persona;
  }

  private act(personaId: number, action: (user: EmulatedUser) => unknown): void {
    const persona = this.personaOrThrow(personaId);
    action(this.userOf(persona));
    this.chats.emit({ type: 'chat', chatId: persona.id });
  }

  userOf(persona: Persona): EmulatedUser {
    return this.emulator.user(persona.id, { first_name: persona.firstName, last_name: persona.lastName || undefined, language_code: 'fa' });
  }
}

/** Input from the page that does not fit; answered with 400 and nothing changed. */
export class BadInput extends Error {}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  await mkdir(options.dataDir, { recursive: true });
  const state = await SandboxStateFile.open(options.dataDir);
  const offset = state.state.clockOffsetMs || (options.clockStart ? options.clockStart.getTime() - Date.now() : 0);
  const clock = new SandboxClock(offset);
  const chats = new SandboxChats();
  await chats.restore(options.dataDir);
  const emulator = await options.startEmulator({ bot: BOT_PROFILE, onCall: (call) => chats.onCall(call) });
  chats.attach(emulator);
  // The bot must talk to this emulator and nothing else.
  if (!isLoopbackHost(new URL(emulator.apiRoot).hostname)) {
    await emulator.close();
    throw new Error(`the Bot API emulator must listen on loopback, not ${emulator.apiRoot}`);
  }

  let app: App | undefined;
  let web: WebServer | undefined;
  try {
    const config = loadConfig({
      BOT_TOKEN: emulator.token,
      BOT_API_ROOT: emulator.apiRoot,
      BOT_PLATFORM: 'telegram',
      DATA_DIR: path.resolve(options.dataDir),
      ADMIN_IDS: String(SUPER_ADMIN_ID),
      LOG_LEVEL: 'warn',
    });
    app = await createApp(config, options.logger, {
      clock,
      ...(options.db ? { db: options.db } : {}),
      dispatcher: options.unpaced ? { idlePollMs: 50, perChatIntervalMs: 0 } : { idlePollMs: 200 },
    });
    const actions = new SandboxActions(app, emulator, chats, state, clock);
    await ensurePersonaRoles(app.db.prisma, app.services, state.state.personas);
    for (const persona of state.state.personas) actions.userOf(persona);
    await app.start();
    web = await startWebServer({ actions, host: options.host, port: options.port, logger: options.logger });
  } catch (error) {
    await web?.close();
    await app?.stop().catch(() => {});
    await emulator.close();
    throw error;
  }
  const started = { app, web };
  return {
    url: web.url,
    app,
    emulator,
    clock,
    async close() {
      await started.web.close();
      await started.app.stop();
      await chats.save(options.dataDir, state.state.personas.map((p) => p.id));
      await emulator.close();
      await state.save();
    },
  };
}
