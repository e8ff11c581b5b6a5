// A confirmation in a native <dialog>: modal (focus stays inside), Escape cancels, Enter confirms (the confirm
// button has focus), and focus returns to whatever opened it.

import { h } from './dom.js';

/**
 * Resolves true when the user confirms, false when they cancel (button, Escape or a click outside). With
 * cancel: null there is only the confirm button (a message to acknowledge). With typeToConfirm, the confirm button
 * stays disabled until that exact text is typed into a field the dialog shows (and focuses) for it.
 */
export function confirmDialog({ title, body, confirm = 'Confirm', cancel = 'Cancel', danger = false, typeToConfirm = null }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const id = Math.random().toString(36).slice(2);
    const titleId = `dialog-title-${id}`;
    const confirmButton = h('button', { type: 'submit', value: 'confirm', class: danger ? 'button danger' : 'button primary' }, confirm);
    const typed = typeToConfirm === null ? null : typedConfirmation(typeToConfirm, `dialog-confirm-${id}`, confirmButton);
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'confirm' },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, title),
        h('div', { class: 'dialog-body' }, body),
        typed?.field,
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
    typed?.input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault(); // the form's first button is Cancel: Enter confirms only once the text matches
      if (!confirmButton.disabled) dialog.close('confirm');
    });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    (typed?.input ?? confirmButton).focus();
  });
}

/** A labelled field that enables the confirm button only while it holds exactly the expected text. */
function typedConfirmation(expected, inputId, confirmButton) {
  const input = h('input', { id: inputId, type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' });
  confirmButton.disabled = true;
  input.addEventListener('input', () => {
    confirmButton.disabled = input.value !== expected;
  });
  const field = h('div', { class: 'field' }, h('label', { for: inputId }, 'Type ', h('strong', null, expected), ' to confirm'), input);
  return { field, input };
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
