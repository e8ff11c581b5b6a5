// A layer's files, one directory at a time (?path=), paged. The server lists the tar by streaming it.

import { h, replace, table } from '../dom.js';
import { images } from '../api.js';
import { link } from '../routes.js';
import { bytes, shortDigest, time } from '../format.js';

// The API lists a directory's whole subtree in path order; the page groups it into the directory's children.
// 2000 entries cover most directories of real images in one request; bigger subtrees page.
const perPage = 2000;

export async function render(context) {
  const { route, signal } = context;
  const directory = normalise(route.path);
  const answer = await images.files(route.name, { digest: route.digest, path: directory || undefined, page: route.number, perPage }, signal);
  context.setTitle(`${directory ? `/${directory}` : '/'} in ${shortDigest(route.digest)}`);
  const entries = childrenOf(answer.entries ?? [], directory);
  replace(context.main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('ol', null,
      h('li', null, h('a', { href: link.home() }, 'Repositories')),
      h('li', null, h('a', { href: link.repository(route.name) }, route.name)),
      h('li', null, h('a', { href: link.files(route.name, route.digest), 'aria-current': 'page' }, `layer ${shortDigest(route.digest)}`)))),
    h('div', { class: 'page-head' },
      h('h1', { tabindex: -1 }, 'Files in layer ', h('code', { class: 'digest', title: route.digest }, shortDigest(route.digest)))),
    pathCrumbs(route, directory),
    answer.truncated ? h('p', { class: 'notice', role: 'note' }, 'This listing is cut short: the layer holds more entries than the server lists.') : null,
    entries.length
      ? table(`Entries of /${directory}`, ['Name', 'Type', { label: 'Size', class: 'number' }, 'Mode', 'Owner', 'Modified', 'Target'], entries.map((entry) => entryRow(route, entry)), { class: 'files-table' })
      : h('p', { class: 'muted' }, 'This directory is empty.'),
    pager(route, directory, answer));
}

function normalise(path) {
  return (path ?? '').replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');
}

function pathCrumbs(route, directory) {
  const parts = directory ? directory.split('/') : [];
  const crumbs = [h('li', null, h('a', { href: link.files(route.name, route.digest), 'aria-current': parts.length ? false : 'location' }, '/'))];
  parts.forEach((part, index) => {
    const path = parts.slice(0, index + 1).join('/');
    crumbs.push(h('li', null, h('a', { href: link.files(route.name, route.digest, { path }), 'aria-current': index === parts.length - 1 ? 'location' : false }, part)));
  });
  return h('nav', { class: 'path', 'aria-label': 'Directory' }, h('ol', null, crumbs));
}

/**
 * The entries directly inside directory. The server may list a directory's whole subtree: deeper entries then
 * stand for the child directory that holds them (and a tar need not list a directory before its files).
 */
export function childrenOf(entries, directory) {
  const prefix = directory ? `${directory}/` : '';
  const children = new Map();
  for (const entry of entries) {
    const path = normalise(entry.path);
    if (path === '.' || !path.startsWith(prefix) || path === directory) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      children.set(rest, { ...entry, name: rest });
    } else {
      const name = rest.slice(0, slash);
      if (!children.has(name)) children.set(name, { path: prefix + name, name, type: 'dir', size: 0, implied: true });
    }
  }
  return [...children.values()].sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
}

function entryRow(route, entry) {
  const path = normalise(entry.path);
  const name = entry.type === 'dir'
    ? h('a', { href: link.files(route.name, route.digest, { path }) }, `${entry.name}/`)
    : entry.type === 'whiteout' ? h('span', { class: 'whiteout', title: entry.name }, entry.name.replace(/^\.wh\./, ''))
      : entry.type === 'opaque' ? h('span', { class: 'muted', title: entry.name }, '(opaque marker)')
        : h('span', null, entry.name);
  return h('tr', { 'data-type': entry.type },
    h('th', { scope: 'row' }, name),
    h('td', null, describeType(entry.type)),
    h('td', { class: 'number' }, entry.type === 'file' || entry.type === 'hardlink' ? bytes(entry.size) : ''),
    h('td', null, entry.mode ? h('code', null, entry.mode) : ''),
    h('td', null, entry.uid === undefined || entry.implied ? '' : `${entry.uid}:${entry.gid}`),
    h('td', null, entry.modified ? time(entry.modified) : ''),
    h('td', null, entry.linkTarget ? h('code', null, `→ ${entry.linkTarget}`) : ''));
}

function describeType(type) {
  switch (type) {
    case 'dir': return 'directory';
    case 'symlink': return 'symlink';
    case 'hardlink': return 'hard link';
    case 'whiteout': return 'deleted (whiteout)';
    case 'opaque': return 'hides lower layers';
    case 'file': return 'file';
    default: return type ?? 'other';
  }
}

function pager(route, directory, answer) {
  const pages = Math.max(1, Math.ceil((answer.total ?? 0) / (answer.perPage || perPage)));
  if (pages <= 1) return null;
  const number = answer.page || route.number;
  const to = (page) => link.files(route.name, route.digest, { path: directory || undefined, page });
  return h('nav', { class: 'pager', 'aria-label': 'Pages of entries' },
    number > 1 ? h('a', { class: 'button', href: to(number - 1), rel: 'prev' }, '← Previous') : null,
    h('span', { class: 'page-of' }, `Page ${number} of ${pages}`),
    number < pages ? h('a', { class: 'button', href: to(number + 1), rel: 'next' }, 'Next →') : null);
}
