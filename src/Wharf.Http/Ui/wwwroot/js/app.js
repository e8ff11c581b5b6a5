// The web UI's entry point: the session, the header, and a router that renders a page for each URL without
// reloading. Pages are modules with render(context) and, optionally, update(context) to refresh in place.

import { h, replace } from './dom.js';
import { session as sessionApi } from './api.js';
import { parse, link, isUiPath } from './routes.js';
import * as repositoriesPage from './pages/repositories.js';
import * as repositoryPage from './pages/repository.js';
import * as imagePage from './pages/image.js';
import * as filesPage from './pages/files.js';
import * as signInPage from './pages/sign-in.js';
import * as notFoundPage from './pages/not-found.js';

const pages = {
  repositories: repositoriesPage,
  repository: repositoryPage,
  image: imagePage,
  files: filesPage,
  'sign-in': signInPage,
  'not-found': notFoundPage,
};

const main = document.getElementById('main');
const account = document.getElementById('account');
const announcer = document.getElementById('announcer');
const search = document.getElementById('search');

const state = { session: { authMode: 'none', user: null }, current: null, controller: null, notice: null };

/** Says something to screen readers (aria-live region). */
export function announce(message) {
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = message;
  }, 30);
}

function navigate(url, { replace: replaceEntry = false, focus = true } = {}) {
  const target = new URL(url, location.origin);
  if (target.href !== location.href) {
    if (replaceEntry) history.replaceState(null, '', target);
    else history.pushState(null, '', target);
  }
  return render({ focus, scroll: !replaceEntry });
}

async function render({ focus = true, scroll = true } = {}) {
  const route = parse(new URL(location.href));
  const page = pages[route.page];
  state.controller?.abort();
  state.controller = new AbortController();
  const context = {
    route,
    main,
    session: state.session,
    signal: state.controller.signal,
    navigate,
    announce,
    setTitle: (title) => {
      document.title = title ? `${title} · Wharf` : 'Wharf';
    },
    refreshSession,
    // A message for the next page rendered (e.g. "Deleted repository x" on the list the user is sent to).
    notify: (message) => {
      state.notice = message;
    },
  };
  if (route.page === 'repositories' && search.value !== route.q && document.activeElement !== search) search.value = route.q;
  renderAccount();
  try {
    if (state.current === page && page.update) {
      await page.update(context);
    } else {
      state.current = page;
      await page.render(context);
      if (focus && !main.contains(document.activeElement)) main.querySelector('h1')?.focus({ preventScroll: true });
    }
    showNotice();
    if (scroll) window.scrollTo(0, 0);
  } catch (error) {
    if (error?.name === 'AbortError') return;
    state.current = null;
    if (error?.status === 401 && state.session.user) {
      await refreshSession();
    }
    showError(context, error);
  }
}

/** Shows the pending notice, if any, under the page's heading, once. */
function showNotice() {
  if (!state.notice) return;
  const notice = h('p', { class: 'notice', role: 'status' }, state.notice);
  state.notice = null;
  const heading = main.querySelector('.page-head') ?? main.querySelector('h1');
  if (heading) heading.after(notice);
  else main.prepend(notice);
}

function showError(context, error) {
  if (error?.notFound) {
    notFoundPage.render(context, error);
    return;
  }
  context.setTitle('Error');
  replace(main,
    h('h1', { tabindex: -1 }, 'Something went wrong'),
    h('p', { role: 'alert' }, error?.message || String(error)),
    h('p', null, h('a', { href: location.pathname + location.search }, 'Try again')));
}

async function refreshSession() {
  try {
    state.session = await sessionApi.get();
  } catch {
    state.session = { authMode: state.session.authMode, user: null };
  }
  renderAccount();
  return state.session;
}

function renderAccount() {
  const { authMode, user } = state.session;
  if (authMode === 'none') {
    replace(account);
    return;
  }
  if (user) {
    replace(account,
      h('span', { class: 'user' }, 'Signed in as ', h('strong', null, user)),
      h('button', { type: 'button', class: 'button', onclick: signOut }, 'Sign out'));
  } else if (location.pathname === '/sign-in') {
    replace(account);
  } else {
    replace(account, h('a', { class: 'button primary', href: link.signIn(location.pathname + location.search) }, 'Sign in'));
  }
}

async function signOut() {
  await sessionApi.signOut();
  state.session = { ...state.session, user: null };
  renderAccount();
  announce('Signed out');
  await navigate(link.home());
}

// Links inside the UI change the page without a reload; anything else (other sites, downloads, new tabs) is left alone.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !isUiPath(url.pathname)) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  event.preventDefault();
  navigate(url.href);
});

window.addEventListener('popstate', () => render({ scroll: false }));

// "/" jumps to the search box from anywhere but a text field.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  event.preventDefault();
  search.focus();
  search.select();
});

// Search as you type: a quarter second after the last keystroke, the list follows the box.
let typing;
search.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => searchFor(search.value), 250);
});
document.getElementById('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(typing);
  searchFor(search.value);
});

function searchFor(text) {
  const route = parse(new URL(location.href));
  const onList = route.page === 'repositories';
  const q = text.trim();
  if (onList && route.q === q) return;
  navigate(link.home({ q, sort: onList ? route.sort : '' }), { replace: onList, focus: false });
}


async function start() {
  await refreshSession();
  await render({ focus: false, scroll: false });
}

start();
