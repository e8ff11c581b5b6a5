// A repository: description, README, the pull command, its tags (with copy and, where permitted, delete), and its
// latest replication jobs when it has any.
// Users who may push edit the description and README here; users who may delete can delete the whole repository.

import { h, replace, table } from '../dom.js';
import { repositories, images, namespaces, replication } from '../api.js';
import { link } from '../routes.js';
import { bytes, count, digest, shortDigest, time } from '../format.js';
import { markdown } from '../markdown.js';
import { confirmDialog, copyButton } from '../dialog.js';

const perPage = 50;
const descriptionLimit = 300;
const readmeLimit = 64 * 1024;

export async function render(context) {
  const { route, signal } = context;
  const [repository, tags, storage, replicated] = await Promise.all([
    repositories.get(route.name, signal),
    images.tags(route.name, { page: route.number, perPage, sort: route.sort || undefined }, signal),
    // The namespace's storage against its quota; a page without it is still a page.
    namespaces.get(route.name.split('/')[0], signal).catch((failure) => (failure?.name === 'AbortError' ? Promise.reject(failure) : null)),
    // Likewise the replication jobs: a page without them is still a page.
    replication.jobs(route.name, signal).catch((failure) => (failure?.name === 'AbortError' ? Promise.reject(failure) : null)),
  ]);
  context.setTitle(repository.name);
  const about = h('section', { class: 'about', 'aria-labelledby': 'about-heading' });
  const showAbout = () => replace(about, ...aboutView(context, repository, showAbout));
  showAbout();
  replace(context.main,
    breadcrumbs(repository.name),
    h('div', { class: 'page-head' },
      h('h1', { tabindex: -1, class: 'name' }, repository.name),
      h('p', { class: 'repo-meta' },
        h('span', null, count(repository.tagCount, 'tag')),
        h('span', null, count(repository.pullCount, 'pull')),
        h('span', null, 'pushed ', time(repository.lastPushedAt)),
        h('span', null, 'pulled ', time(repository.lastPulledAt)),
        storage ? namespaceUsage(storage) : null)),
    pullCommand(`docker pull ${location.host}/${repository.name}`, context),
    tagsSection(context, repository, tags),
    replicated?.jobs?.length ? replicationSection(repository, replicated.jobs) : null,
    about,
    repository.permissions?.delete === true ? deleteSection(context, repository) : null);
}

function deleteSection(context, repository) {
  return h('section', { class: 'delete-repository', 'aria-labelledby': 'delete-heading' },
    h('h2', { id: 'delete-heading' }, 'Delete repository'),
    h('p', null, 'Deletes every tag and image of this repository. Its layers are freed later by garbage collection.'),
    h('button', { type: 'button', class: 'button danger', onclick: () => deleteRepository(context, repository) }, 'Delete repository'));
}

async function deleteRepository(context, repository) {
  const { name } = repository;
  const confirmed = await confirmDialog({
    title: `Delete repository ${name}?`,
    body: [
      h('p', null, 'This deletes ', h('code', null, name), ` with its ${count(repository.tagCount, 'tag')}, its images, description and README. It cannot be undone.`),
      h('p', null, 'Anyone pulling from it gets “not found” from then on; pushing to the name again starts a new, empty repository.'),
    ],
    confirm: 'Delete repository',
    danger: true,
    typeToConfirm: name,
  });
  if (!confirmed) return;
  try {
    await repositories.remove(name);
  } catch (failure) {
    if (!(failure.status === 404 && failure.code === 'NAME_UNKNOWN')) {
      context.announce(`Could not delete repository ${name}: ${failure.message}`);
      await confirmDialog({ title: 'Could not delete the repository', body: h('p', null, failure.message), confirm: 'OK', cancel: null });
      return;
    }
    // Deleted by someone else meanwhile: the outcome is the same.
  }
  const message = `Deleted repository ${name}`;
  context.announce(message);
  context.notify(message);
  await context.navigate(link.home());
}

// "namespace team-a uses 1.2 MB of 10 GB (12%)", or "… uses 1.2 MB (no quota)".
function namespaceUsage(storage) {
  const text = storage.quota === null
    ? `namespace ${storage.namespace} uses ${bytes(storage.usage)} (no quota)`
    : `namespace ${storage.namespace} uses ${bytes(storage.usage)} of ${bytes(storage.quota)} (${Math.floor((storage.usage * 100) / Math.max(storage.quota, 1))}%)`;
  return h('span', { class: 'namespace-usage', 'data-usage': storage.usage, 'data-quota': storage.quota ?? '' }, text);
}

function breadcrumbs(name) {
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' },
    h('ol', null, h('li', null, h('a', { href: link.home() }, 'Repositories')), h('li', null, h('a', { href: link.repository(name), 'aria-current': 'page' }, name))));
}

export function pullCommand(command, context) {
  return h('div', { class: 'pull-command' },
    h('code', null, command),
    copyButton(command, `Copy “${command}”`, context.announce));
}

function aboutView(context, repository, refresh) {
  const canEdit = repository.permissions?.push === true;
  const edit = canEdit
    ? h('button', { type: 'button', class: 'button', onclick: () => replace(context.main.querySelector('.about'), ...editor(context, repository, refresh)) }, 'Edit description and README')
    : null;
  return [
    h('div', { class: 'section-head' }, h('h2', { id: 'about-heading' }, 'About'), edit),
    repository.description ? h('p', { class: 'description' }, repository.description) : h('p', { class: 'muted' }, 'No description.'),
    repository.readme
      ? h('article', { class: 'readme', 'aria-label': 'README' }, markdown(repository.readme))
      : h('p', { class: 'muted' }, 'No README.'),
  ];
}

function editor(context, repository, refresh) {
  const description = h('input', { id: 'edit-description', name: 'description', maxlength: descriptionLimit, value: repository.description ?? '' });
  const readme = h('textarea', { id: 'edit-readme', name: 'readme', rows: 16, spellcheck: 'true' });
  readme.value = repository.readme ?? '';
  const error = h('p', { class: 'form-error', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'button primary' }, 'Save');
  const form = h('form', { class: 'editor' },
    h('div', { class: 'field' }, h('label', { for: 'edit-description' }, `Description (up to ${descriptionLimit} characters)`), description),
    h('div', { class: 'field' }, h('label', { for: 'edit-readme' }, 'README (markdown, up to 64 KiB)'), readme),
    error,
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'button', onclick: refresh }, 'Cancel'),
      save));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') refresh();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (new TextEncoder().encode(readme.value).length > readmeLimit) {
      error.textContent = 'The README is longer than 64 KiB.';
      return;
    }
    save.disabled = true;
    try {
      const updated = await repositories.update(repository.name, { description: description.value, readme: readme.value });
      Object.assign(repository, updated);
      refresh();
      context.announce('Saved the description and README');
      context.main.querySelector('#about-heading')?.focus();
    } catch (failure) {
      error.textContent = `Could not save: ${failure.message}`;
      save.disabled = false;
    }
  });
  setTimeout(() => description.focus(), 0);
  return [h('div', { class: 'section-head' }, h('h2', { id: 'about-heading', tabindex: -1 }, 'Edit description and README')), form];
}

function tagsSection(context, repository, answer) {
  const canDelete = repository.permissions?.delete === true;
  const headers = [{ label: 'Tag' }, { label: 'Digest' }, { label: 'Platforms' }, { label: 'Size', class: 'number' }, { label: 'Pushed' }, { label: 'Pulls', class: 'number' }, { label: 'Actions', class: 'actions' }];
  const body = h('section', { class: 'tags', 'aria-labelledby': 'tags-heading' });
  const sort = h('select', { id: 'tag-sort' },
    h('option', { value: 'name', selected: (context.route.sort || 'name') === 'name' }, 'Name'),
    h('option', { value: 'pushed', selected: context.route.sort === 'pushed' }, 'Last push'));
  sort.addEventListener('change', () => context.navigate(link.repository(repository.name, { sort: sort.value === 'name' ? undefined : sort.value }), { replace: true, focus: false }));
  const rows = answer.tags.map((tag) => tagRow(context, repository, tag, canDelete));
  replace(body,
    h('div', { class: 'section-head' },
      h('h2', { id: 'tags-heading' }, 'Tags'),
      h('div', { class: 'sort' }, h('label', { for: 'tag-sort' }, 'Sort by'), sort)),
    rows.length ? table(`Tags of ${repository.name}`, headers, rows, { class: 'tags-table' }) : h('p', { class: 'muted' }, 'No tags.'),
    pager(repository.name, answer, context.route));
  return body;
}

function tagRow(context, repository, tag, canDelete) {
  const reference = `${location.host}/${repository.name}:${tag.name}`;
  const row = h('tr', { 'data-tag': tag.name },
    h('th', { scope: 'row' }, h('a', { href: link.image(repository.name, tag.name) }, tag.name)),
    h('td', null, h('a', { href: link.image(repository.name, tag.digest), class: 'plain' }, digest(tag.digest))),
    h('td', null, tag.platforms?.length ? tag.platforms.join(', ') : h('span', { class: 'muted' }, '–')),
    h('td', { class: 'number' }, bytes(tag.size)),
    h('td', null, time(tag.pushedAt)),
    h('td', { class: 'number' }, (tag.pullCount ?? 0).toLocaleString('en')),
    h('td', { class: 'actions' },
      copyButton(`docker pull ${reference}`, `Copy “docker pull ${reference}”`, context.announce),
      canDelete ? h('button', { type: 'button', class: 'button danger', 'aria-label': `Delete tag ${tag.name}`, onclick: () => deleteTag(context, repository, tag, row) }, 'Delete') : null));
  return row;
}

async function deleteTag(context, repository, tag, row) {
  const confirmed = await confirmDialog({
    title: `Delete tag ${tag.name}?`,
    body: [
      h('p', null, 'This removes the tag ', h('code', null, `${repository.name}:${tag.name}`), '.'),
      h('p', null, 'The image itself stays pullable by its digest ', h('code', { class: 'digest' }, tag.digest), ' (and by any other tag) until it is garbage-collected.'),
    ],
    confirm: 'Delete tag',
    danger: true,
  });
  if (!confirmed) return;
  try {
    await images.deleteTag(repository.name, tag.name, tag.digest);
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    context.announce(`Deleted tag ${tag.name}`);
    const focusTarget = next?.querySelector('a') ?? context.main.querySelector('#tags-heading');
    if (focusTarget && !focusTarget.hasAttribute('tabindex') && focusTarget.tagName === 'H2') focusTarget.setAttribute('tabindex', '-1');
    focusTarget?.focus();
  } catch (failure) {
    // 409: pushed again since this page loaded; 404 MANIFEST_UNKNOWN: deleted by someone else meanwhile.
    if (failure.status === 409 || (failure.status === 404 && failure.code === 'MANIFEST_UNKNOWN')) {
      await tagChanged(context, tag, failure.status === 409);
      return;
    }
    context.announce(`Could not delete tag ${tag.name}: ${failure.message}`);
    await confirmDialog({ title: 'Could not delete the tag', body: h('p', null, failure.message), confirm: 'OK' });
  }
}

/** Says the tag is not what the page showed any more, and reloads the list so the page shows what it is now. */
async function tagChanged(context, tag, moved) {
  const message = moved
    ? `Tag ${tag.name} was pushed again after this page was loaded: it no longer points to ${shortDigest(tag.digest)}. Nothing was deleted.`
    : `Tag ${tag.name} was deleted by someone else after this page was loaded.`;
  context.announce(message);
  await context.navigate(location.pathname + location.search, { replace: true, focus: false });
  await confirmDialog({
    title: moved ? `Tag ${tag.name} changed` : `Tag ${tag.name} is gone`,
    body: [h('p', null, message), h('p', null, 'The list of tags has been reloaded.')],
    confirm: 'OK',
    cancel: null,
  });
  (context.main.querySelector(`tr[data-tag="${CSS.escape(tag.name)}"] a`) ?? context.main.querySelector('h1'))?.focus();
}

// The latest copies of this repository to or from other registries: rule, tag, state, attempts, last error, time.
function replicationSection(repository, jobs) {
  const headers = [{ label: 'Rule' }, { label: 'Reference' }, { label: 'State' }, { label: 'Attempts', class: 'number' }, { label: 'Last error' }, { label: 'Time' }];
  const rows = jobs.map((job) => h('tr', { 'data-job': job.id, 'data-state': job.state },
    h('td', null, job.rule),
    h('th', { scope: 'row' }, job.reference, ' ', h('span', { class: 'muted' }, digest(job.digest))),
    h('td', null, h('span', { class: `job-state ${job.state}` }, jobState(job))),
    h('td', { class: 'number' }, String(job.attempts)),
    h('td', { class: 'job-error' }, job.lastError ?? h('span', { class: 'muted' }, '–')),
    h('td', null, time(job.createdAt), job.state === 'pending' && job.attempts > 0 ? [' · next try ', time(job.nextAttemptAt)] : null)));
  return h('section', { class: 'replication', 'aria-labelledby': 'replication-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'replication-heading' }, 'Replication')),
    table(`Replication of ${repository.name}`, headers, rows, { class: 'replication-table' }));
}

function jobState(job) {
  if (job.state === 'pending' && job.leaseUntil) return 'copying';
  if (job.state === 'pending' && job.attempts > 0) return 'retrying';
  return job.state;
}

function pager(name, answer, route) {
  const pages = Math.max(1, Math.ceil((answer.total ?? 0) / (answer.perPage || perPage)));
  if (pages <= 1) return null;
  const number = answer.page || route.number;
  const to = (page) => link.repository(name, { page, sort: route.sort });
  return h('nav', { class: 'pager', 'aria-label': 'Pages of tags' },
    number > 1 ? h('a', { class: 'button', href: to(number - 1), rel: 'prev' }, '← Previous') : null,
    h('span', { class: 'page-of' }, `Page ${number} of ${pages}`),
    number < pages ? h('a', { class: 'button', href: to(number + 1), rel: 'next' }, 'Next →') : null);
}
