// Not found: an unknown page, or a repository or image that does not exist or that the caller may not see
// (the API answers both the same way, and so does this page).

import { h, replace } from '../dom.js';
import { link } from '../routes.js';

export function render(context) {
  context.setTitle('Not found');
  const signedOut = context.session.authMode !== 'none' && !context.session.user;
  replace(context.main,
    h('h1', { tabindex: -1 }, 'Not found'),
    h('p', null, 'There is nothing here, or you may not see it.'),
    signedOut ? h('p', null, 'If it is private, ', h('a', { href: link.signIn(location.pathname + location.search) }, 'sign in'), ' first.') : null,
    h('p', null, h('a', { href: link.home() }, 'All repositories')));
}
