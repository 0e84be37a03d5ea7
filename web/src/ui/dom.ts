type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((event: Event) => void) | undefined>;

/** Tiny element builder: the portal has few views and needs no UI framework. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** A labelled input; the label is visible and tied to the field so screen readers and tests find it by name. */
export function field(
  label: string,
  input: {
    name: string;
    type: string;
    autocomplete?: string;
    required?: boolean;
    minlength?: string;
    pattern?: string;
    title?: string;
    inputmode?: string;
    maxlength?: string;
  },
): HTMLElement {
  const id = `field-${input.name}`;
  const control = h('input', {
    id,
    name: input.name,
    type: input.type,
    autocomplete: input.autocomplete,
    required: input.required ?? true,
    minlength: input.minlength,
    pattern: input.pattern,
    title: input.title,
    inputmode: input.inputmode,
    maxlength: input.maxlength,
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input.type === 'password' ? passwordRow(control, label) : control,
  );
}

/** A password field with a Show/Hide button: typing blind on a phone causes lockouts. */
function passwordRow(control: HTMLInputElement, label: string): HTMLElement {
  const toggle = h(
    'button',
    { type: 'button', class: 'secondary', 'aria-pressed': 'false', 'aria-controls': control.id },
    'Show',
  );
  toggle.setAttribute('aria-label', `Show ${label.toLowerCase()}`);
  toggle.addEventListener('click', () => {
    const show = control.type === 'password';
    control.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
    toggle.textContent = show ? 'Hide' : 'Show';
  });
  return h('div', { class: 'password-row' }, control, toggle);
}

export function mount(...nodes: Node[]): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('#app is missing from index.html');
  root.replaceChildren(...nodes);
}

/** Region that screen readers announce; errors and confirmations go here. */
export function statusRegion(): HTMLElement {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

export function formValue(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}
