import { describeError, errorFields } from './errors.js';
import { clearFieldErrors, showFieldError } from './field-errors.js';

/**
 * Runs a piece of work with the given buttons disabled and the outcome announced in a status
 * region; errors become readable sentences, never raw SDK text.
 */
export async function runTask(
  status: HTMLElement,
  buttons: HTMLButtonElement[],
  busyText: string,
  work: () => Promise<string | void>,
  form?: HTMLElement,
): Promise<void> {
  for (const b of buttons) b.disabled = true;
  status.textContent = busyText;
  if (form) clearFieldErrors(form);
  try {
    const done = await work();
    status.textContent = done ?? '';
  } catch (error) {
    const message = describeError(error);
    status.textContent = message;
    // Also under the field it is about, which then takes focus so it can be corrected.
    const marked = form && errorFields(error).find((name) => showFieldError(form, name, message));
    if (form && marked) form.querySelector<HTMLElement>(`[name="${CSS.escape(marked)}"]`)?.focus();
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

/** The same for a form's submit, with every button of the form disabled meanwhile. */
export function onSubmit(
  form: HTMLFormElement,
  status: HTMLElement,
  busyText: string,
  work: () => Promise<string | void>,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runTask(status, [...form.querySelectorAll('button')], busyText, work, form);
  });
}
