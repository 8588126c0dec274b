import type { MessageEntity } from 'telegraf/types';
import { ApiError, badRequest } from './errors.js';

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/**
 * A subset of Telegram's entity parsers, strict where Telegram is strict: unsupported tags,
 * unbalanced tags and unescaped MarkdownV2 reserved characters are the classic production
 * failures ("can't parse entities"), so the fake must reject them too.
 */
export function parseFormatted(text: string, parseMode: string | undefined): FormattedText {
  if (parseMode === undefined || parseMode === '') return { text, entities: [] };
  switch (parseMode.toLowerCase()) {
    case 'html':
      return parseHtml(text);
    case 'markdownv2':
      return parseMarkdownV2(text);
    case 'markdown':
      return parseMarkdown(text);
    default:
      throw badRequest(`unsupported parse_mode`);
  }
}

const cantParse = (reason: string): ApiError => badRequest(`can't parse entities: ${reason}`);
const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i));

const HTML_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  type: string;
  start: number;
  attrs: Record<string, string>;
}

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_-]/.test(c);
}

export function parseHtml(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '&') {
      const semi = src.indexOf(';', i);
      if (semi > i && semi - i <= 10) {
        const name = src.slice(i + 1, semi);
        let decoded: string | undefined = HTML_ENTITIES[name];
        if (decoded === undefined && /^#x[0-9a-f]+$/i.test(name)) decoded = String.fromCodePoint(parseInt(name.slice(2), 16));
        else if (decoded === undefined && /^#[0-9]+$/.test(name)) decoded = String.fromCodePoint(parseInt(name.slice(1), 10));
        if (decoded !== undefined) {
          out += decoded;
          i = semi + 1;
          continue;
        }
      }
      out += c;
      i++;
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    if (i + 1 >= src.length) throw cantParse(`Unexpected end of name token at byte offset ${byteOffset(src, begin)}`);
    const closing = src[i + 1] === '/';
    let j = closing ? i + 2 : i + 1;
    let name = '';
    while (j < src.length && isNameChar(src[j]!)) name += src[j++]!;
    name = name.toLowerCase();
    if (closing) {
      const end = src.indexOf('>', j);
      if (end < 0) throw cantParse(`Unclosed end tag at byte offset ${byteOffset(src, begin)}`);
      const open = stack.pop();
      if (open === undefined) throw cantParse(`Unexpected end tag at byte offset ${byteOffset(src, begin)}`);
      if (name !== '' && name !== open.name) {
        throw cantParse(
          `Unmatched end tag at byte offset ${byteOffset(src, begin)}, expected "</${open.name}>", found "</${name}>"`,
        );
      }
      pushHtmlEntity(entities, open, out.length);
      i = end + 1;
      continue;
    }
    const type = HTML_TAGS[name];
    if (type === undefined) throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(src, begin)}`);
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < src.length && /\s/.test(src[j]!)) j++;
      if (j >= src.length) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
      if (src[j] === '>') break;
      if (src[j] === '/' && src[j + 1] === '>') throw cantParse(`Unsupported self-closing tag at byte offset ${byteOffset(src, begin)}`);
      let attr = '';
      while (j < src.length && isNameChar(src[j]!)) attr += src[j++]!;
      if (attr === '') throw cantParse(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(src, begin)}`);
      let value = '';
      if (src[j] === '=') {
        j++;
        const quote = src[j];
        if (quote === '"' || quote === "'") {
          const endQuote = src.indexOf(quote, j + 1);
          if (endQuote < 0) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
          value = src.slice(j + 1, endQuote);
          j = endQuote + 1;
        } else {
          while (j < src.length && !/[\s>]/.test(src[j]!)) value += src[j++]!;
        }
      }
      attrs[attr.toLowerCase()] = value.replace(/&(lt|gt|amp|quot);/g, (_m, e: string) => HTML_ENTITIES[e] ?? '');
    }
    if (name === 'span' && attrs.class !== 'tg-spoiler') {
      throw cantParse(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, begin)}`);
    }
    stack.push({ name, type, start: out.length, attrs });
    i = j + 1;
  }
  const unclosed = stack.pop();
  if (unclosed !== undefined) throw cantParse(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  return { text: out, entities: entities.sort((a, b) => a.offset - b.offset) };
}

function pushHtmlEntity(entities: MessageEntity[], tag: OpenTag, end: number): void {
  const length = end - tag.start;
  if (length <= 0) return;
  const base = { offset: tag.start, length };
  switch (tag.type) {
    case 'text_link':
      if (tag.attrs.href) entities.push({ type: 'text_link', url: tag.attrs.href, ...base });
      return;
    case 'custom_emoji':
      entities.push({ type: 'custom_emoji', custom_emoji_id: tag.attrs['emoji-id'] ?? '', ...base });
      return;
    case 'pre':
      entities.push({ type: 'pre', ...base });
      return;
    case 'blockquote':
      // 'expandable_blockquote' is newer than the typings; keep the base type.
      entities.push({ type: 'blockquote', ...base });
      return;
    default:
      entities.push({ type: tag.type as 'bold', ...base });
  }
}

const MDV2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

interface MdOpen {
  marker: string;
  type: string;
  start: number;
  srcIndex: number;
}

const MDV2_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  code: 'Code',
  pre: 'Pre',
  text_link: 'TextUrl',
};

export function parseMarkdownV2(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: MdOpen[] = [];
  let i = 0;
  const close = (open: MdOpen, extra?: Partial<MessageEntity>): void => {
    const length = out.length - open.start;
    if (length > 0) entities.push({ type: open.type, offset: open.start, length, ...extra } as MessageEntity);
  };
  while (i < src.length) {
    const c = src[i]!;
    const top = stack[stack.length - 1];
    if (top?.type === 'code' || top?.type === 'pre') {
      if (c === '\\' && i + 1 < src.length) {
        out += src[i + 1]!;
        i += 2;
        continue;
      }
      if (top.type === 'pre' && src.startsWith('```', i)) {
        stack.pop();
        close(top);
        i += 3;
        continue;
      }
      if (top.type === 'code' && c === '`') {
        stack.pop();
        close(top);
        i++;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= src.length) throw cantParse(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      out += src[i + 1]!;
      i += 2;
      continue;
    }
    if (!MDV2_RESERVED.has(c)) {
      out += c;
      i++;
      continue;
    }
    let marker: string | undefined;
    let type: string | undefined;
    if (src.startsWith('```', i)) [marker, type] = ['```', 'pre'];
    else if (src.startsWith('__', i)) [marker, type] = ['__', 'underline'];
    else if (src.startsWith('||', i)) [marker, type] = ['||', 'spoiler'];
    else if (c === '*') [marker, type] = ['*', 'bold'];
    else if (c === '_') [marker, type] = ['_', 'italic'];
    else if (c === '~') [marker, type] = ['~', 'strikethrough'];
    else if (c === '`') [marker, type] = ['`', 'code'];
    else if (c === '[') [marker, type] = ['[', 'text_link'];
    if (c === ']' && top?.type === 'text_link') {
      stack.pop();
      let url = '';
      let j = i + 1;
      if (src[j] === '(') {
        j++;
        while (j < src.length && src[j] !== ')') {
          if (src[j] === '\\' && j + 1 < src.length) j++;
          url += src[j++]!;
        }
        if (j >= src.length) throw cantParse(`Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}`);
        j++;
      }
      if (url !== '') close(top, { url } as Partial<MessageEntity>);
      i = j;
      continue;
    }
    if (c === '>' && (i === 0 || src[i - 1] === '\n')) {
      i++;
      continue;
    }
    if (marker === undefined || type === undefined) {
      throw cantParse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
    const existing = stack.findIndex((o) => o.type === type);
    if (existing >= 0 && type !== 'text_link') {
      const open = stack[existing]!;
      stack.splice(existing, 1);
      close(open);
    } else {
      if (type === 'pre') {
        const newline = src.indexOf('\n', i + 3);
        const firstLine = newline < 0 ? '' : src.slice(i + 3, newline);
        if (/^[A-Za-z0-9_+-]+$/.test(firstLine)) i = newline - 2;
      }
      stack.push({ marker, type, start: out.length, srcIndex: i });
    }
    i += marker.length;
  }
  const unclosed = stack[0];
  if (unclosed !== undefined) {
    throw cantParse(
      `Can't find end of ${MDV2_NAMES[unclosed.type] ?? unclosed.type} entity at byte offset ${byteOffset(src, unclosed.srcIndex)}`,
    );
  }
  return { text: out, entities: entities.sort((a, b) => a.offset - b.offset) };
}

export function parseMarkdown(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length && '_*`['.includes(src[i + 1]!)) {
      out += src[i + 1]!;
      i += 2;
      continue;
    }
    const marker = src.startsWith('```', i) ? '```' : '_*`['.includes(c) ? c : undefined;
    if (marker === undefined) {
      out += c;
      i++;
      continue;
    }
    const closer = marker === '[' ? ']' : marker;
    const end = src.indexOf(closer, i + marker.length);
    if (end < 0) throw cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(src, i)}`);
    const inner = src.slice(i + marker.length, end);
    const start = out.length;
    out += inner;
    let next = end + closer.length;
    if (marker === '[') {
      if (src[next] === '(') {
        const urlEnd = src.indexOf(')', next);
        if (urlEnd < 0) throw cantParse(`Can't find end of a URL at byte offset ${byteOffset(src, next)}`);
        const url = src.slice(next + 1, urlEnd);
        if (inner.length > 0) entities.push({ type: 'text_link', offset: start, length: inner.length, url });
        next = urlEnd + 1;
      }
    } else if (inner.length > 0) {
      const type = marker === '*' ? 'bold' : marker === '_' ? 'italic' : marker === '`' ? 'code' : 'pre';
      entities.push({ type, offset: start, length: inner.length } as MessageEntity);
    }
    i = next;
  }
  return { text: out, entities };
}
