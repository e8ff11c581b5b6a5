// A small markdown renderer for repository READMEs that builds DOM nodes directly, so no markup in a README can
// ever become markup on the page: raw HTML shows as text, and only http(s), mailto and same-site links become
// links. Covers what READMEs use: headings, paragraphs, emphasis, code spans and fenced code, lists (nested),
// block quotes, rules, tables and links. Images become links (the page loads nothing from other sites).

import { h } from './dom.js';

const fence = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const heading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const rule = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const quote = /^ {0,3}> ?(.*)$/;
const item = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$/;
const tableDelimiter = /^ *\|? *:?-+:? *(\| *:?-+:? *)*\|? *$/;
const setext = /^ {0,3}(=+|-+)[ \t]*$/;

/** Renders markdown text into a DocumentFragment. Heading levels shift down by one (a README's # is the page's h2). */
export function markdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  for (const node of blocks(lines, 0)) fragment.append(node);
  return fragment;
}

function blocks(lines, depth) {
  const nodes = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    let match;
    if ((match = fence.exec(line))) {
      const marker = match[1];
      const body = [];
      i += 1;
      while (i < lines.length && !new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(lines[i])) body.push(lines[i++]);
      i += 1;
      const language = match[2].replace(/[^\w+#.-]/g, '');
      nodes.push(h('pre', null, h('code', { class: language ? `language-${language}` : false }, body.join('\n'))));
    } else if ((match = heading.exec(line))) {
      nodes.push(h(`h${Math.min(6, match[1].length + 1)}`, null, inline(match[2] ?? '')));
      i += 1;
    } else if (rule.test(line)) {
      nodes.push(h('hr'));
      i += 1;
    } else if (quote.test(line)) {
      const inner = [];
      while (i < lines.length && lines[i].trim() && (match = quote.exec(lines[i]))) {
        inner.push(match[1]);
        i += 1;
      }
      nodes.push(h('blockquote', null, depth < 8 ? blocks(inner, depth + 1) : inner.join(' ')));
    } else if (item.test(line) && depth < 8) {
      i = list(lines, i, depth, nodes);
    } else if (/^ {4}/.test(line)) {
      const body = [];
      while (i < lines.length && (/^ {4}/.test(lines[i]) || (!lines[i].trim() && /^ {4}/.test(lines[i + 1] ?? '')))) body.push(lines[i++].slice(4));
      nodes.push(h('pre', null, h('code', null, body.join('\n'))));
    } else if (line.includes('|') && tableDelimiter.test(lines[i + 1] ?? '') && lines[i + 1].includes('-')) {
      i = tableBlock(lines, i, nodes);
    } else {
      const paragraph = [line];
      i += 1;
      while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) {
        if (setext.test(lines[i])) break;
        paragraph.push(lines[i++]);
      }
      if (i < lines.length && (match = setext.exec(lines[i])) && lines[i].trim()) {
        nodes.push(h(match[1][0] === '=' ? 'h2' : 'h3', null, inline(paragraph.join('\n'))));
        i += 1;
      } else {
        nodes.push(h('p', null, inline(paragraph.join('\n'))));
      }
    }
  }
  return nodes;
}

function startsBlock(line) {
  return fence.test(line) || heading.test(line) || rule.test(line) || quote.test(line) || item.test(line);
}

function list(lines, start, depth, nodes) {
  const first = item.exec(lines[start]);
  const ordered = /\d/.test(first[2]);
  const element = ordered ? h('ol', { start: Number.parseInt(first[2], 10) !== 1 ? Number.parseInt(first[2], 10) : false }) : h('ul');
  let i = start;
  let loose = false;
  const entries = [];
  while (i < lines.length) {
    const match = item.exec(lines[i]);
    if (!match || /\d/.test(match[2]) !== ordered) break;
    const indent = match[1].length + match[2].length + Math.max(1, Math.min(4, match[3].length));
    const body = [match[4]];
    i += 1;
    while (i < lines.length) {
      const next = lines[i];
      if (!next.trim()) {
        const following = lines[i + 1] ?? '';
        if (following.trim() && leading(following) >= indent) {
          body.push('');
          loose = true;
          i += 1;
          continue;
        }
        break;
      }
      if (leading(next) >= indent) body.push(next.slice(indent));
      else if (item.test(next) || startsBlock(next)) break;
      else body.push(next.trim()); // a lazy continuation of the item's paragraph
      i += 1;
    }
    entries.push(body);
    if (!lines[i]?.trim() && item.test(lines[i + 1] ?? '') && leading(lines[i + 1]) < indent) {
      loose = true;
      i += 1;
    }
  }
  for (const body of entries) {
    const content = blocks(body, depth + 1);
    const tight = !loose && content.length > 0 && content[0].tagName === 'P';
    element.append(h('li', null, tight ? [Array.from(content[0].childNodes), content.slice(1)] : content));
  }
  nodes.push(element);
  return i;
}

function leading(line) {
  return line.length - line.trimStart().length;
}

function cells(line) {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'));
}

function tableBlock(lines, start, nodes) {
  const headers = cells(lines[start]);
  const alignments = cells(lines[start + 1]).map((cell) =>
    cell.startsWith(':') && cell.endsWith(':') ? 'center' : cell.endsWith(':') ? 'right' : cell.startsWith(':') ? 'left' : '');
  let i = start + 2;
  const rows = [];
  while (i < lines.length && lines[i].trim() && lines[i].includes('|')) rows.push(cells(lines[i++]));
  const cell = (tag, text, column) => h(tag, { class: alignments[column] ? `align-${alignments[column]}` : false, scope: tag === 'th' ? 'col' : false }, inline(text));
  nodes.push(h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, headers.map((text, column) => cell('th', text, column)))),
    h('tbody', null, rows.map((row) => h('tr', null, headers.map((_, column) => cell('td', row[column] ?? '', column))))))));
  return i;
}

const punctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
// Sticky (y) patterns match at lastIndex, so inline() never copies the rest of the text to try one.
const backticks = /`+/y;
const autolink = /<((?:https?:\/\/|mailto:)[^\s<>]+)>/iy;
const bareUrl = /https?:\/\/[^\s<>]*[^\s<>.,:;!?)'"]/iy;
const linkTarget = /\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+("[^"]*"|'[^']*'))?\s*\)/y;

/** Matches a sticky pattern at position at. */
function matchAt(pattern, text, at) {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** Inline markdown to nodes: escapes, code spans, links, autolinks, emphasis, strikethrough, hard breaks. */
export function inline(text, depth = 0) {
  // What one pass over text learns once instead of rescanning the rest of it at every "[", "`", "*", "_" or "~" (a
  // README of thousands of them would otherwise take seconds): the "]" closing each "[", from where no closing run
  // of backticks of a given length follows, and which closer each delimiter's search finds from a candidate on.
  const scan = { closers: null, noRun: new Map(), emphasis: new Map() };
  const out = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push(document.createTextNode(buffer));
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && punctuation.test(text[i + 1] ?? '')) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      flush();
      out.push(h('br'));
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = matchAt(backticks, text, i)[0];
      const close = findRun(text, run, i + run.length, scan);
      if (close >= 0) {
        flush();
        let code = text.slice(i + run.length, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
        out.push(h('code', null, code));
        i = close + run.length;
        continue;
      }
      buffer += run;
      i += run.length;
      continue;
    }
    if ((c === '[' || (c === '!' && text[i + 1] === '[')) && depth < 4) {
      const parsed = linkAt(text, c === '!' ? i + 1 : i, scan);
      if (parsed) {
        flush();
        out.push(c === '!' ? imageLink(parsed) : anchor(parsed.href, parsed.title, inline(parsed.label, depth + 1)));
        i = parsed.end;
        continue;
      }
    }
    if (c === '<') {
      const auto = matchAt(autolink, text, i);
      if (auto) {
        flush();
        out.push(anchor(auto[1], null, [auto[1]]));
        i += auto[0].length;
        continue;
      }
    }
    if ((c === 'h' || c === 'H') && !/\w/.test(text[i - 1] ?? '')) {
      const bare = matchAt(bareUrl, text, i);
      if (bare) {
        flush();
        out.push(anchor(bare[0], null, [bare[0]]));
        i += bare[0].length;
        continue;
      }
    }
    if ((c === '*' || c === '_' || c === '~') && depth < 4) {
      const emphasis = emphasisAt(text, i, scan);
      if (emphasis) {
        flush();
        out.push(h(emphasis.tag, null, inline(emphasis.content, depth + 1)));
        i = emphasis.end;
        continue;
      }
    }
    if (c === '\n') {
      const hard = / {2,}$/.test(buffer);
      buffer = buffer.replace(/ +$/, '');
      flush();
      out.push(hard ? h('br') : document.createTextNode('\n'));
      i += 1;
      continue;
    }
    buffer += c;
    i += 1;
  }
  flush();
  return out;
}

function findRun(text, run, from, scan) {
  if (from >= (scan.noRun.get(run.length) ?? Infinity)) return -1; // none from an earlier position, so none from here
  let at = text.indexOf(run, from);
  while (at >= 0) {
    if (text[at + run.length] !== '`' && text[at - 1] !== '`') return at;
    at = text.indexOf(run, at + 1);
  }
  scan.noRun.set(run.length, from);
  return -1;
}

/** [label](url "title") starting at the "[" at position start; null when it is not a link. */
function linkAt(text, start, scan) {
  scan.closers ??= closingBrackets(text);
  const i = scan.closers.get(start);
  if (i === undefined || text[i + 1] !== '(') return null;
  const target = matchAt(linkTarget, text, i + 1);
  if (!target) return null;
  const href = target[1].startsWith('<') ? target[1].slice(1, -1) : target[1];
  return { label: text.slice(start + 1, i), href, title: target[2]?.slice(1, -1) ?? null, end: i + 1 + target[0].length };
}

/** For each "[" of text, the "]" that closes it (nesting counted, backslash escapes skipped), in one pass. */
function closingBrackets(text) {
  const closers = new Map();
  const open = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '[') open.push(i);
    else if (text[i] === ']' && open.length > 0) closers.set(open.pop(), i);
  }
  return closers;
}

/** **strong**, __strong__, *em*, _em_, ~~del~~ at position start; null when the delimiter does not open one. */
function emphasisAt(text, start, scan) {
  const c = text[start];
  const double = text[start + 1] === c;
  if (c === '~' && !double) return null;
  const delimiter = double ? c + c : c;
  const after = text[start + delimiter.length];
  if (!after || /\s/.test(after)) return null;
  if (c === '_' && /[\p{L}\p{N}]/u.test(text[start - 1] ?? '')) return null; // snake_case stays text
  if (!scan.emphasis.has(delimiter)) scan.emphasis.set(delimiter, new Map());
  const at = closerFrom(text, delimiter, start + delimiter.length + 1, scan.emphasis.get(delimiter));
  if (at < 0) return null;
  const tag = c === '~' ? 'del' : double ? 'strong' : 'em';
  return { tag, content: text.slice(start + delimiter.length, at), end: at + delimiter.length };
}

/**
 * The first closing delimiter found searching from position from, or -1. Where the search goes next depends only on
 * the candidate it is at, so every candidate's outcome is remembered in known and no candidate is examined twice.
 */
function closerFrom(text, delimiter, from, known) {
  const c = delimiter[0];
  const double = delimiter.length === 2;
  const visited = [];
  let found = -1;
  let at = text.indexOf(delimiter, from);
  while (at >= 0) {
    if (known.has(at)) {
      found = known.get(at);
      break;
    }
    visited.push(at);
    const before = text[at - 1];
    const next = text[at + delimiter.length];
    if (/\s/.test(before) || before === '\\') {
      at = text.indexOf(delimiter, at + 1);
    } else if (!double && next === c) {
      at = text.indexOf(delimiter, at + 2); // part of a longer run: not our closer
    } else if (c === '_' && /[\p{L}\p{N}]/u.test(next ?? '')) {
      at = text.indexOf(delimiter, at + 1);
    } else {
      found = at;
      break;
    }
  }
  for (const candidate of visited) known.set(candidate, found);
  return found;
}

/** The URL when it is safe to link to (http, https, mailto, or a path on this site), else null. */
export function safeHref(href) {
  const trimmed = String(href ?? '').trim();
  if (!trimmed) return null;
  if (/^[/#?]/.test(trimmed) && !trimmed.startsWith('//') && !trimmed.startsWith('/\\')) return trimmed;
  try {
    const url = new URL(trimmed);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function anchor(href, title, children) {
  const safe = safeHref(href);
  if (!safe) return h('span', { class: 'unsafe-link', title: 'link removed: only http, https and mailto links are shown' }, children);
  const external = !safe.startsWith('/') && !safe.startsWith('#') && !safe.startsWith('?');
  return h('a', { href: safe, title, rel: external ? 'noopener noreferrer nofollow' : false }, children);
}

function imageLink(parsed) {
  const label = parsed.label || 'image';
  return anchor(parsed.href, parsed.title, [h('span', { class: 'image-link', 'aria-hidden': 'true' }, '🖼 '), label]);
}
