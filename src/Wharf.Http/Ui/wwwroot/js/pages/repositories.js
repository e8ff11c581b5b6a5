// The repository list: search results (the search box is in the header), sorting and pages.

import { h, replace } from '../dom.js';
import { repositories } from '../api.js';
import { link } from '../routes.js';
import { count, time } from '../format.js';

const perPage = 25;
const sorts = [
  ['', 'Best match', null],
  ['name', 'Name', 'asc'],
  ['pushed', 'Last push', 'desc'],
  ['pulls', 'Pulls', 'desc'],
];

let view = null;

export async function render(context) {
  const select = h('select', { id: 'sort', name: 'sort' });
  select.addEventListener('change', () => {
    const { q } = context.route;
    context.navigate(link.home({ q, sort: select.value }), { replace: true, focus: false });
  });
  const status = h('p', { id: 'result-count', class: 'result-count', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'results', 'aria-busy': 'true' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of repositories' });
  view = { select, status, results, pager };
  replace(context.main,
    h('div', { class: 'page-head' },
      h('h1', { tabindex: -1 }, 'Repositories'),
      h('div', { class: 'sort' }, h('label', { for: 'sort' }, 'Sort by'), select)),
    status, results, pager);
  await update(context);
}

export async function update(context) {
  const { route, signal, session } = context;
  const { select, status, results, pager } = view;
  const sort = route.sort || (route.q ? '' : 'name');
  replace(select, sorts.filter(([value]) => value || route.q).map(([value, label]) => h('option', { value, selected: value === sort }, label)));
  context.setTitle(route.q ? `“${route.q}”` : 'Repositories');
  results.setAttribute('aria-busy', 'true');
  const order = sorts.find(([value]) => value === sort)?.[2];
  const answer = await repositories.list({ q: route.q, sort, order, page: route.number, perPage }, signal);
  results.setAttribute('aria-busy', 'false');

  const total = answer.total ?? 0;
  status.textContent = route.q ? `${count(total, 'repository', 'repositories')} matching “${route.q}”` : count(total, 'repository', 'repositories');
  if (answer.repositories.length === 0) {
    replace(results, empty(route, session));
  } else {
    replace(results, h('ul', { class: 'repo-list' }, answer.repositories.map(summary)));
  }

  const pages = Math.max(1, Math.ceil(total / (answer.perPage || perPage)));
  const number = answer.page || route.number;
  const to = (page) => link.home({ q: route.q, sort: route.sort, page });
  replace(pager, pages <= 1 ? [] : [
    number > 1 ? h('a', { class: 'button', href: to(number - 1), rel: 'prev' }, '← Previous') : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, '← Previous'),
    h('span', { class: 'page-of', 'aria-current': 'page' }, `Page ${number} of ${pages}`),
    number < pages ? h('a', { class: 'button', href: to(number + 1), rel: 'next' }, 'Next →') : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, 'Next →'),
  ]);
}

function summary(repository) {
  return h('li', { class: 'repo' },
    h('a', { class: 'repo-name', href: link.repository(repository.name) }, repository.name),
    repository.description ? h('p', { class: 'repo-description' }, repository.description) : h('p', { class: 'repo-description muted' }, 'No description'),
    h('p', { class: 'repo-meta' },
      h('span', null, count(repository.tagCount, 'tag')),
      h('span', null, count(repository.pullCount, 'pull')),
      h('span', null, 'pushed ', time(repository.lastPushedAt))));
}

function empty(route, session) {
  const signedOut = session.authMode !== 'none' && !session.user;
  return h('div', { class: 'empty' },
    h('p', null, route.q ? `No repository matches “${route.q}”.` : 'There are no repositories here yet.'),
    !route.q && session.authMode === 'none' ? h('p', null, 'Push one: ', h('code', null, `docker push ${location.host}/team/app:v1`)) : null,
    signedOut ? h('p', null, h('a', { href: link.signIn(location.pathname + location.search) }, 'Sign in'), ' to see the private repositories you may pull.') : null);
}
