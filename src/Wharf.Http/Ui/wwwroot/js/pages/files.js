// A layer's files, one directory at a time (?path=), paged. The server lists the tar by streaming it.

import { h, replace, table } from '../dom.js';
import { images } from '../api.js';
import { link } from '../routes.js';
import { bytes, count, shortDigest, time } from '../format.js';

// The API answers a directory's direct children (children=true), directories first, then by name, paged over
// them: `total` is the number of children, so every page but the last is full and the pager is exact however
// large the subtrees below. Directories the archive only implies (it lists a/b/c but no a/b/) are among them.
const perPage = 250;

export async function render(context) {
  const { route, signal } = context;
  const directory = normalise(route.path);
  const answer = await images.files(route.name, { digest: route.digest, path: directory || undefined, children: true, page: route.number, perPage }, signal);
  context.setTitle(`${directory ? `/${directory}` : '/'} in ${shortDigest(route.digest)}`);
  const entries = answer.entries ?? [];
  replace(context.main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('ol', null,
      h('li', null, h('a', { href: link.home() }, 'Repositories')),
      h('li', null, h('a', { href: link.repository(route.name) }, route.name)),
      h('li', null, h('a', { href: link.files(route.name, route.digest), 'aria-current': 'page' }, `layer ${shortDigest(route.digest)}`)))),
    h('div', { class: 'page-head' },
      h('h1', { tabindex: -1 }, 'Files in layer ', h('code', { class: 'digest', title: route.digest }, shortDigest(route.digest)))),
    pathCrumbs(route, directory),
    answer.truncated ? h('p', { class: 'notice', role: 'note' }, 'This listing is cut short: the layer holds more entries than the server lists.') : null,
    entries.length ? h('p', { class: 'result-count' }, `${count(answer.total, 'entry', 'entries')} in /${directory}`) : null,
    pager(route, directory, answer, 'Pages of entries, above the list'),
    entries.length
      ? table(`Entries of /${directory}`, ['Name', 'Type', { label: 'Size', class: 'number' }, 'Mode', 'Owner', 'Modified', 'Target'], entries.map((entry) => entryRow(route, entry)), { class: 'files-table' })
      : h('p', { class: 'muted' }, answer.total > 0 ? 'There are no entries on this page.' : 'This directory is empty.'),
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

function entryRow(route, entry) {
  const path = normalise(entry.path);
  const name = entry.type === 'dir'
    ? h('a', { href: link.files(route.name, route.digest, { path }) }, `${entry.name}/`)
    : entry.type === 'whiteout' ? h('span', { class: 'whiteout', title: entry.name }, entry.name.replace(/^\.wh\./, ''))
      : entry.type === 'opaque' ? h('span', { class: 'muted', title: entry.name }, '(opaque marker)')
        : h('span', null, entry.name);
  return h('tr', { 'data-type': entry.type, 'data-implied': entry.implied ? 'true' : null },
    h('th', { scope: 'row' }, name),
    h('td', null, entry.implied ? h('span', { title: 'Not in the archive itself: implied by the entries below it' }, 'directory (implied)') : describeType(entry.type)),
    h('td', { class: 'number' }, entry.type === 'file' || entry.type === 'hardlink' ? bytes(entry.size)
      : entry.type === 'dir' && entry.descendants !== null && entry.descendants !== undefined ? count(entry.descendants, 'entry', 'entries') : ''),
    h('td', null, entry.mode ? h('code', null, entry.mode) : ''),
    h('td', null, entry.uid === undefined || entry.uid === null || entry.implied ? '' : `${entry.uid}:${entry.gid}`),
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

function pager(route, directory, answer, label = 'Pages of entries') {
  const pages = Math.max(1, Math.ceil((answer.total ?? 0) / (answer.perPage || perPage)));
  if (pages <= 1) return null;
  const number = answer.page || route.number;
  const to = (page) => link.files(route.name, route.digest, { path: directory || undefined, page });
  return h('nav', { class: 'pager', 'aria-label': label },
    number > 1 ? h('a', { class: 'button', href: to(number - 1), rel: 'prev' }, '← Previous') : null,
    h('span', { class: 'page-of' }, `Page ${number} of ${pages}`),
    number < pages ? h('a', { class: 'button', href: to(number + 1), rel: 'next' }, 'Next →') : null);
}
