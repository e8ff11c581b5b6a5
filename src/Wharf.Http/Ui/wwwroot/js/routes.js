// Client-side routes. Every one of them is answered by the server with the same index.html.
//   /                                   repository list (?q=&sort=&page=)
//   /sign-in                            sign in (?next=/r/…)
//   /r/<name>                           repository (?page=&sort= for its tags)
//   /r/<name>/-/i/<reference>           image by tag or digest
//   /r/<name>/-/files/<digest>          a layer's files (?path=&page=)
// Repository names contain slashes, so "/-/" separates the name from the page: "-" alone is never a valid
// name component, so no repository name can be mistaken for a page.

import { segments } from './api.js';

export function parse(url) {
  const path = decodeURIComponent(url.pathname);
  const search = url.searchParams;
  if (path === '/' || path === '') return { page: 'repositories', q: search.get('q') ?? '', sort: search.get('sort') ?? '', number: page(search) };
  if (path === '/sign-in') return { page: 'sign-in', next: safeNext(search.get('next'), url.origin) };
  if (!path.startsWith('/r/')) return { page: 'not-found' };
  const rest = path.slice(3).replace(/\/+$/, '');
  const separator = rest.indexOf('/-/');
  if (separator < 0) return rest ? { page: 'repository', name: rest, number: page(search), sort: search.get('sort') ?? '' } : { page: 'not-found' };
  const name = rest.slice(0, separator);
  const [kind, ...tail] = rest.slice(separator + 3).split('/');
  const value = tail.join('/');
  if (name && kind === 'i' && value) return { page: 'image', name, reference: value };
  if (name && kind === 'files' && value) return { page: 'files', name, digest: value, path: search.get('path') ?? '', number: page(search) };
  return { page: 'not-found' };
}

function page(search) {
  const number = Number.parseInt(search.get('page') ?? '1', 10);
  return Number.isFinite(number) && number > 0 ? number : 1;
}

/**
 * Only a path on this site, judged as the browser will read it: the URL parser drops tabs and line breaks and reads
 * a backslash as "/", so "/<tab>/evil.example" would be "//evil.example". Anything with those, or that parses to another
 * origin ("//evil", "https://…"), becomes "/"; what passes is given back as parsed (path, query, fragment).
 */
export function safeNext(next, origin) {
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  let target;
  try {
    target = new URL(next, origin);
  } catch {
    return '/';
  }
  return target.origin === origin ? target.pathname + target.search + target.hash : '/';
}

function withQuery(path, parameters) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (value !== undefined && value !== null && value !== '' && !(key === 'page' && value === 1)) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export const link = {
  home: (parameters) => withQuery('/', parameters),
  signIn: (next) => withQuery('/sign-in', { next: next && next !== '/' ? next : undefined }),
  repository: (name, parameters) => withQuery(`/r/${segments(name)}`, parameters),
  image: (name, reference) => `/r/${segments(name)}/-/i/${segments(reference)}`,
  files: (name, digest, parameters) => withQuery(`/r/${segments(name)}/-/files/${segments(digest)}`, parameters),
};

/** True for paths this UI renders itself (so a click on such a link never reloads the page). */
export function isUiPath(pathname) {
  return pathname === '/' || pathname === '/sign-in' || pathname.startsWith('/r/');
}
