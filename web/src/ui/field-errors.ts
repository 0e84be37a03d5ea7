/**
 * Errors tied to the field they are about: the field is marked `aria-invalid` and described by
 * the sentence shown under it, so a screen reader reads the problem when the field is focused,
 * not only once in the form's live region.
 */

export function clearFieldErrors(form: HTMLElement): void {
  for (const input of form.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    const errorId = `${input.id}-error`;
    const describedBy = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && id !== errorId);
    if (describedBy.length > 0) input.setAttribute('aria-describedby', describedBy.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  for (const message of form.querySelectorAll('.field-error')) message.remove();
}

/** Marks the form's field `name` with `message`; false when the form has no such field. */
export function showFieldError(form: HTMLElement, name: string, message: string): boolean {
  const input = form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`);
  if (!input?.id) return false;
  const errorId = `${input.id}-error`;
  const note = document.createElement('p');
  note.id = errorId;
  note.className = 'field-error';
  note.textContent = message;
  // Under the field (and its show-password row, when it has one).
  (input.closest('.password-row') ?? input).after(note);
  input.setAttribute('aria-invalid', 'true');
  const describedBy = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
  describedBy.add(errorId);
  input.setAttribute('aria-describedby', [...describedBy].join(' '));
  return true;
}
