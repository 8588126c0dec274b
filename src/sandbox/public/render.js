// Messages as a Telegram client shows them. The bot's HTML was parsed by the Bot API emulator into plain
// text and entities, exactly as Telegram does; the page builds elements from those, and puts every piece
// of text in with textContent, never as markup: nothing a person or the bot wrote can become HTML here.

const TAGS = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  expandable_blockquote: 'blockquote',
};

/** Only web and Telegram links are followed; anything else (javascript:, data:) stays text. */
export function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'tg:' ? url.href : null;
  } catch {
    return null;
  }
}

/** `https://t.me/<bot>?start=<payload>`: a deep link to this bot, opened in the sandbox as /start. */
export function startPayload(href, botUsername) {
  try {
    const url = new URL(href);
    const host = url.hostname.replace(/^www\./, '');
    if (!['t.me', 'telegram.me'].includes(host)) return null;
    if (url.pathname.replace(/^\//, '').toLowerCase() !== botUsername.toLowerCase()) return null;
    return url.searchParams.get('start');
  } catch {
    return null;
  }
}

function elementFor(entity, inner, hooks) {
  const tag = TAGS[entity.type];
  if (tag) return document.createElement(tag);
  if (entity.type === 'spoiler') {
    const span = document.createElement('span');
    span.className = 'spoiler';
    span.addEventListener('click', () => span.classList.add('revealed'));
    return span;
  }
  if (entity.type === 'text_link' || entity.type === 'url') {
    const href = safeUrl(entity.type === 'url' ? inner : entity.url);
    if (!href) return document.createElement('span');
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    hooks.link(a, href);
    return a;
  }
  if (entity.type === 'bot_command') {
    const span = document.createElement('span');
    span.className = 'command';
    span.addEventListener('click', () => hooks.command(inner));
    return span;
  }
  const span = document.createElement('span');
  span.className = `entity-${entity.type.replace(/[^a-z_]/g, '')}`;
  return span;
}

/** Entities nest (bold inside a link); one that overlaps another without nesting is shown as text. */
function renderRange(parent, text, entities, start, end, hooks) {
  const inside = entities
    .filter((e) => e.offset >= start && e.offset + e.length <= end)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let pos = start;
  let i = 0;
  while (i < inside.length) {
    const entity = inside[i];
    if (entity.offset < pos) {
      i++;
      continue;
    }
    if (entity.offset > pos) parent.append(text.slice(pos, entity.offset));
    const stop = entity.offset + entity.length;
    let j = i + 1;
    while (j < inside.length && inside[j].offset < stop) j++;
    const element = elementFor(entity, text.slice(entity.offset, stop), hooks);
    renderRange(element, text, inside.slice(i + 1, j), entity.offset, stop, hooks);
    parent.append(element);
    pos = stop;
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

export function formattedText(text, entities, hooks) {
  const div = document.createElement('div');
  div.className = 'text';
  div.dir = 'auto';
  renderRange(div, text, entities ?? [], 0, text.length, hooks);
  return div;
}

function fileUrl(fileId, params) {
  return `/api/files/${encodeURIComponent(fileId)}?${new URLSearchParams(params)}`;
}

function sizeText(bytes) {
  const format = new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 1 });
  if (bytes >= 1024 * 1024) return `${format.format(bytes / 1024 / 1024)} مگابایت`;
  return `${format.format(Math.max(1, Math.round(bytes / 1024)))} کیلوبایت`;
}

/**
 * One message bubble. hooks: press(messageId, data), link(anchor, href), command(text).
 */
export function messageElement(message, hooks) {
  const bubble = document.createElement('article');
  bubble.className = `msg ${message.fromBot ? 'from-bot' : 'from-me'}`;
  bubble.dataset.messageId = String(message.id);
  if (message.photo) {
    const img = document.createElement('img');
    img.className = 'photo';
    img.alt = 'عکس';
    img.loading = 'lazy';
    img.src = fileUrl(message.photo, { view: 'image' });
    bubble.append(img);
  }
  if (message.document) {
    const a = document.createElement('a');
    a.className = 'document';
    a.href = fileUrl(message.document.fileId, { name: message.document.name });
    a.download = message.document.name;
    const name = document.createElement('span');
    name.className = 'document-name';
    name.dir = 'auto';
    name.textContent = message.document.name;
    const size = document.createElement('span');
    size.className = 'document-size';
    size.textContent = message.document.size ? sizeText(message.document.size) : '';
    a.append('📄 ', name, size);
    bubble.append(a);
  }
  if (message.contact) {
    const div = document.createElement('div');
    div.className = 'contact';
    div.textContent = `👤 ${message.contact.name} `;
    const phone = document.createElement('bdi');
    phone.textContent = `+${message.contact.phone.replace(/^\+/, '')}`;
    div.append(phone);
    bubble.append(div);
  }
  if (message.sticker) {
    const div = document.createElement('div');
    div.className = 'sticker';
    div.textContent = message.sticker;
    bubble.append(div);
  }
  if (message.text !== undefined) bubble.append(formattedText(message.text, message.entities, hooks));
  if (message.edited) {
    const edited = document.createElement('span');
    edited.className = 'edited';
    edited.textContent = 'ویرایش‌شده';
    bubble.append(edited);
  }
  if (message.buttons) bubble.append(inlineKeyboard(message, hooks));
  return bubble;
}

function inlineKeyboard(message, hooks) {
  const keyboard = document.createElement('div');
  keyboard.className = 'inline-keyboard';
  for (const row of message.buttons) {
    const line = document.createElement('div');
    line.className = 'inline-row';
    for (const button of row) {
      if ('data' in button) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'inline-btn';
        b.textContent = button.text;
        b.addEventListener('click', () => hooks.press(message.id, button.data));
        line.append(b);
      } else {
        const href = safeUrl(button.url);
        const a = document.createElement(href ? 'a' : 'span');
        a.className = 'inline-btn';
        a.textContent = `${button.text} ↗`;
        if (href) {
          a.href = href;
          a.rel = 'noopener noreferrer';
          a.target = '_blank';
          hooks.link(a, href);
        }
        line.append(a);
      }
    }
    keyboard.append(line);
  }
  return keyboard;
}
