// A confirmation in a native <dialog>: modal (focus stays inside), Escape cancels, Enter confirms (the confirm
// button has focus), and focus returns to whatever opened it.

import { h } from './dom.js';

/**
 * Resolves true when the user confirms, false when they cancel (button, Escape or a click outside). With
 * cancel: null there is only the confirm button (a message to acknowledge).
 */
export function confirmDialog({ title, body, confirm = 'Confirm', cancel = 'Cancel', danger = false }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const confirmButton = h('button', { type: 'submit', value: 'confirm', class: danger ? 'button danger' : 'button primary' }, confirm);
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'confirm' },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, title),
        h('div', { class: 'dialog-body' }, body),
        h('div', { class: 'dialog-actions' },
          cancel ? h('button', { type: 'submit', value: 'cancel', class: 'button', formnovalidate: true }, cancel) : null,
          confirmButton)));
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close('cancel'); // the backdrop
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.returnValue = 'cancel';
    dialog.showModal();
    confirmButton.focus();
  });
}

/** Copies text to the clipboard; falls back to a hidden text area where the Clipboard API is missing (plain HTTP). */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the fallback
    }
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/** A button that copies text and says so (visibly and to screen readers) for two seconds. */
export function copyButton(text, label, announce) {
  const button = h('button', { type: 'button', class: 'button copy', 'aria-label': label, title: label }, 'Copy');
  button.addEventListener('click', async () => {
    const copied = await copyText(text);
    button.textContent = copied ? 'Copied' : 'Copy failed';
    announce?.(copied ? `Copied: ${text}` : 'Could not copy to the clipboard');
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 2000);
  });
  return button;
}
