// Builds DOM nodes. Text always goes in as text nodes, never as markup: the UI has no HTML string sink at all,
// and the Content-Security-Policy (require-trusted-types-for 'script') makes Chromium refuse one if it ever appears.

/**
 * h('a', { href: '/r/x', class: 'link', onclick: fn }, 'text', otherNode, [more, children])
 * Attributes: false/null/undefined are left out, true sets an empty attribute, functions under on* become listeners.
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends strings (as text), nodes and nested arrays of them; skips null, undefined and false. */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of parent. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A table of rows inside a scrollable, focusable region (so keyboard users can scroll wide tables). */
export function table(caption, headers, rows, attributes = {}) {
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', attributes,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((header) =>
        h('th', { scope: 'col', class: header.class ?? false }, header.label ?? header)))),
      h('tbody', null, rows)));
}

/** A definition list from [term, description] pairs; pairs whose description is empty are left out. */
export function facts(pairs, attributes = {}) {
  const present = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0));
  return h('dl', { class: 'facts', ...attributes }, present.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}
