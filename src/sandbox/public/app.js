// The sandbox page: pick who you are, chat with the bot as them, move the clock, seed demo data. Every
// change in any chat arrives as a server-sent event, so the page never needs a reload.
import { api } from './api.js';
import { messageElement, startPayload } from './render.js';

const $ = (id) => document.getElementById(id);
const KIND_LABEL = { province: 'استان', county: 'شهرستان', manager: 'مدیر سمن', member: 'عضو' };

const state = { bot: null, personas: [], current: null, unread: new Map() };

const clockFormat = new Intl.DateTimeFormat('fa-IR-u-ca-persian-nu-arabext', {
  timeZone: 'Asia/Tehran',
  weekday: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "یکشنبه ۱ آذر ۱۴۰۵، ساعت ۱۰:۰۰", whatever order the browser's locale data would put the parts in. */
function tehranTime(date) {
  const part = Object.fromEntries(clockFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}، ساعت ${part.hour}:${part.minute}`;
}

function showStatus(text) {
  $('status').textContent = text;
}

async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    showStatus(`خطا: ${error.message}`);
    return undefined;
  }
}

function currentPersona() {
  return state.personas.find((p) => p.id === state.current);
}

function renderPersonas() {
  const list = $('persona-list');
  list.replaceChildren(
    ...state.personas.map((p) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'persona';
      button.dataset.persona = String(p.id);
      button.setAttribute('aria-pressed', String(p.id === state.current));
      const name = document.createElement('span');
      name.className = 'persona-name';
      name.textContent = `${p.firstName} ${p.lastName}`.trim();
      const kind = document.createElement('span');
      kind.className = `persona-kind kind-${p.kind}`;
      kind.textContent = KIND_LABEL[p.kind] ?? '';
      const about = document.createElement('span');
      about.className = 'persona-about';
      about.textContent = p.about;
      button.append(name, kind, about);
      const unread = state.unread.get(p.id) ?? 0;
      if (unread > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = new Intl.NumberFormat('fa-IR').format(unread);
        button.append(badge);
      }
      button.addEventListener('click', () => selectPersona(p.id));
      li.append(button);
      return li;
    }),
  );
}

async function selectPersona(id) {
  state.current = id;
  state.unread.delete(id);
  const persona = currentPersona();
  $('chat-title').textContent = state.bot?.first_name ?? '';
  $('chat-sub').textContent = persona ? `گفت‌وگوی ${persona.firstName} ${persona.lastName} با ربات` : '';
  renderPersonas();
  await refreshChat();
}

const hooks = {
  press: (messageId, data) => guarded(() => api.press(state.current, messageId, data)),
  command: (text) => guarded(() => api.sendText(state.current, text)),
  link: (anchor, href) => {
    const payload = state.bot ? startPayload(href, state.bot.username) : null;
    if (payload === null) return;
    // A link to this bot opens the chat with it, as in Telegram. Links are passed from person to
    // person (an invite goes from the manager to a colleague), so the page asks who opens it.
    anchor.removeAttribute('target');
    anchor.addEventListener('click', (event) => {
      event.preventDefault();
      chooseWhoOpens(payload);
    });
  },
};

let refreshing = Promise.resolve();
function refreshChat() {
  // One refresh at a time, in order: a burst of events must not draw an older state last.
  refreshing = refreshing.then(drawChat, drawChat);
  return refreshing;
}

async function drawChat() {
  const personaId = state.current;
  if (personaId === null) return;
  const chat = await guarded(() => api.chat(personaId));
  if (!chat || personaId !== state.current) return;
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren(...chat.messages.map((m) => messageElement(m, hooks)));
  if (atBottom || box.dataset.persona !== String(personaId)) box.scrollTop = box.scrollHeight;
  box.dataset.persona = String(personaId);
  $('start-bar').hidden = chat.messages.length > 0;
  drawKeyboard(chat.keyboard);
}

function drawKeyboard(keyboard) {
  const area = $('reply-keyboard');
  if (!keyboard) {
    area.replaceChildren();
    return;
  }
  area.replaceChildren(
    ...keyboard.rows.map((row) => {
      const line = document.createElement('div');
      line.className = 'reply-row';
      for (const button of row) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = `reply-btn${button.contact ? ' contact' : ''}`;
        b.textContent = button.text;
        b.addEventListener('click', () =>
          guarded(() => (button.contact ? api.shareContact(state.current) : api.sendText(state.current, button.text))),
        );
        line.append(b);
      }
      return line;
    }),
  );
}

function chooseWhoOpens(payload) {
  const dialog = $('open-as');
  $('open-as-list').replaceChildren(
    ...state.personas.map((p) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'open-as';
      b.dataset.persona = String(p.id);
      b.textContent = `${p.firstName} ${p.lastName} — ${p.about}`;
      b.addEventListener('click', async () => {
        dialog.close();
        await selectPersona(p.id);
        await guarded(() => (payload ? api.openStartLink(p.id, payload) : api.sendText(p.id, '/start')));
      });
      return b;
    }),
  );
  dialog.showModal();
}

function showAnswer(event) {
  const persona = state.personas.find((p) => p.id === event.chatId);
  if (event.alert && event.chatId === state.current) {
    $('alert-text').textContent = event.text;
    $('alert').showModal();
    return;
  }
  const toast = $('toast');
  toast.textContent = event.chatId === state.current ? event.text : `${persona?.firstName ?? ''}: ${event.text}`;
  toast.hidden = false;
  clearTimeout(showAnswer.timer);
  showAnswer.timer = setTimeout(() => (toast.hidden = true), 4000);
}

function showClock(iso) {
  $('clock-now').dateTime = iso;
  $('clock-now').textContent = tehranTime(new Date(iso));
}

function listen() {
  const events = new EventSource('/api/events');
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'chat') {
      if (event.chatId === state.current) refreshChat();
      else if (state.personas.some((p) => p.id === event.chatId)) {
        state.unread.set(event.chatId, (state.unread.get(event.chatId) ?? 0) + 1);
        renderPersonas();
      }
    } else if (event.type === 'answer') showAnswer(event);
    else if (event.type === 'clock') showClock(event.now);
    else if (event.type === 'personas') loadState();
    else if (event.type === 'hello') refreshChat();
  };
  events.onerror = () => showStatus('ارتباط با محیط آزمایشی قطع شد؛ دوباره وصل می‌شود…');
  events.onopen = () => showStatus('');
}

async function loadState() {
  const data = await guarded(() => api.state());
  if (!data) return;
  state.bot = data.bot;
  state.personas = data.personas;
  $('bot-name').textContent = `@${data.bot.username}`;
  showClock(data.now);
  renderPersonas();
}

function wireControls() {
  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('composer-text');
    const text = input.value;
    if (text.trim() === '' || state.current === null) return;
    input.value = '';
    await guarded(() => api.sendText(state.current, text));
  });
  $('composer-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });
  for (const [input, kind] of [
    [$('photo-input'), 'photo'],
    [$('document-input'), 'document'],
  ]) {
    input.addEventListener('change', async () => {
      const file = input.files?.[0];
      input.value = '';
      if (!file || state.current === null) return;
      const caption = $('composer-text').value.trim();
      $('composer-text').value = '';
      await guarded(() => api.sendFile(state.current, kind, file, caption));
    });
  }
  $('start-button').addEventListener('click', () => guarded(() => api.sendText(state.current, '/start')));
  $('alert-ok').addEventListener('click', () => $('alert').close());
  $('open-as-cancel').addEventListener('click', () => $('open-as').close());
  for (const button of document.querySelectorAll('[data-jump]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      showStatus('ساعت جلو می‌رود…');
      const result = await guarded(() => api.advanceClock(button.dataset.jump));
      button.disabled = false;
      if (result) showStatus(`ساعت جلو رفت؛ ${new Intl.NumberFormat('fa-IR').format(result.ran.length)} کار زمان‌بندی‌شده اجرا شد.`);
    });
  }
  $('seed').addEventListener('click', async () => {
    $('seed').disabled = true;
    showStatus('در حال ساختن داده‌های نمونه…');
    const result = await guarded(() => api.seed());
    $('seed').disabled = false;
    if (result) showStatus(result.seeded ? 'داده‌های نمونه استان کرمان ساخته شد.' : 'داده‌های نمونه پیش‌تر ساخته شده است.');
  });
  $('add-persona').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const persona = await guarded(() => api.addPersona(form.firstName.value, form.lastName.value));
    if (!persona) return;
    form.reset();
    await loadState();
    await selectPersona(persona.id);
  });
}

wireControls();
await loadState();
if (state.personas.length > 0) await selectPersona(state.personas[0].id);
listen();
