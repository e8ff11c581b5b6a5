// Sign in with a Wharf account (POST /api/session sets an HttpOnly session cookie).

import { h, replace } from '../dom.js';
import { session as sessionApi } from '../api.js';
import { link } from '../routes.js';

export async function render(context) {
  context.setTitle('Sign in');
  const { session, route } = context;
  if (session.authMode === 'none') {
    replace(context.main,
      h('h1', { tabindex: -1 }, 'Sign in'),
      h('p', null, 'This Wharf has no accounts: authentication is off, and everyone may browse, push and delete.'),
      h('p', null, h('a', { href: link.home() }, 'All repositories')));
    return;
  }
  if (session.user) {
    replace(context.main,
      h('h1', { tabindex: -1 }, 'Sign in'),
      h('p', null, 'You are signed in as ', h('strong', null, session.user), '.'),
      h('p', null, h('a', { href: route.next }, 'Continue')));
    return;
  }

  const error = h('p', { class: 'form-error', role: 'alert', id: 'sign-in-error' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h('form', { class: 'sign-in', 'aria-describedby': 'sign-in-error', novalidate: false },
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password or access token'), password),
    error,
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      await sessionApi.signIn(username.value, password.value);
      await context.refreshSession();
      context.announce(`Signed in as ${username.value}`);
      await context.navigate(route.next);
    } catch (failure) {
      password.value = '';
      error.textContent = failure.status === 429
        ? `Too many failed sign-ins. Try again${failure.retryAfter ? ` in ${failure.retryAfter} seconds` : ' later'}.`
        : failure.status === 401 ? 'Wrong username or password.' : `Could not sign in: ${failure.message}`;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(context.main,
    h('div', { class: 'narrow' },
      h('h1', { tabindex: -1 }, 'Sign in to Wharf'),
      h('p', { class: 'muted' }, 'Use your Wharf account. An access token works as the password too.'),
      form));
  username.focus();
}
