import { formatDay } from '../data/premium.js';
import { accountText, actionText, type AuditEntryView, whenText } from '../data/audit-words.js';
import { loadAuditPage, loadStaffAccess, optionalDays } from '../data/staff.js';
import type { QueryDocumentSnapshot } from '../firebase/firestore.js';
import type { PageContext } from '../app/page.js';
import { createAccessCodes, grantPremium, revokePremium } from '../firebase/premium-calls.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { onSubmit, runTask } from '../ui/form.js';

function numberField(
  label: string,
  name: string,
  options: { required: boolean; value?: string; max: string },
) {
  const wrapper = field(label, { name, type: 'number', inputmode: 'numeric', required: options.required });
  const input = wrapper.querySelector('input');
  input?.setAttribute('min', '1');
  input?.setAttribute('max', options.max);
  input?.setAttribute('step', '1');
  if (options.value) input?.setAttribute('value', options.value);
  return wrapper;
}

/** The member's email when the account has one, else what staff typed (a username). */
function whoText(change: { email: string | null }, typed: string): string {
  return change.email ?? typed;
}

/** Grant or revoke premium for a member named by username or email. */
function premiumForm(): HTMLElement {
  const status = statusRegion();
  const form = h(
    'form',
    { 'aria-labelledby': 'grant-heading' },
    h('h2', { id: 'grant-heading' }, 'Premium for a member'),
    field('Member (username or email)', { name: 'member', type: 'text', autocomplete: 'off' }),
    numberField('Days (empty: no end date)', 'days', { required: false, max: '3650' }),
    h('button', { type: 'submit', value: 'grant' }, 'Grant premium'),
    h('button', { type: 'submit', value: 'revoke', class: 'secondary' }, 'Revoke premium'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    const member = formValue(form, 'member').trim();
    const buttons = [...form.querySelectorAll('button')];
    void runTask(status, buttons, 'Working…', async () => {
      if (submitter?.value === 'revoke') {
        const change = await revokePremium(member);
        return `Premium revoked for ${whoText(change, member)}.`;
      }
      const change = await grantPremium(member, optionalDays(formValue(form, 'days')));
      const until = change.until === null ? 'with no end date' : `until ${formatDay(change.until)}`;
      return `Premium granted to ${whoText(change, member)} ${until}.`;
    });
  });
  return form;
}

/** Creates codes and shows them once: only their hashes are stored. */
function codesForm(): HTMLElement {
  const status = statusRegion();
  const output = h('div', { class: 'codes-output' });
  const form = h(
    'form',
    { 'aria-labelledby': 'codes-heading' },
    h('h2', { id: 'codes-heading' }, 'Access codes'),
    numberField('How many codes', 'count', { required: true, value: '1', max: '100' }),
    numberField('Valid for (days)', 'validDays', { required: true, value: '30', max: '365' }),
    numberField('Premium period per code (days, empty: no end date)', 'premiumDays', {
      required: false,
      value: '30',
      max: '3650',
    }),
    h('button', { type: 'submit' }, 'Create codes'),
    status,
    output,
  );
  onSubmit(form, status, 'Creating codes…', async () => {
    const created = await createAccessCodes(
      Number(formValue(form, 'count')),
      Number(formValue(form, 'validDays')),
      optionalDays(formValue(form, 'premiumDays')),
    );
    output.replaceChildren(
      h('p', {}, 'Copy these now: they are shown only once.'),
      h(
        'ol',
        { class: 'codes', 'aria-label': 'New access codes' },
        ...created.codes.map((code) => h('li', {}, h('code', {}, code))),
      ),
    );
    const n = created.codes.length;
    return `Created ${n} code${n === 1 ? '' : 's'}, redeemable until ${formatDay(created.expiresAt)}.`;
  });
  return form;
}

const AUDIT_PAGE = 25;

/** The log, newest first, a page at a time; names with the uid on hover, sentences, local dates. */
function auditSection(): HTMLElement {
  const status = statusRegion();
  const list = h('ol', { class: 'audit-list', 'aria-labelledby': 'audit-heading' });
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh audit log');
  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older entries');
  let next: QueryDocumentSnapshot | null = null;
  let shown = 0;
  const load = (from: QueryDocumentSnapshot | null): Promise<void> =>
    runTask(status, [refresh, older], 'Loading…', async () => {
      const page = await loadAuditPage(AUDIT_PAGE, from);
      if (!from) {
        list.replaceChildren();
        shown = 0;
      }
      list.append(...page.entries.map(auditEntry));
      shown += page.entries.length;
      next = page.next;
      older.hidden = next === null;
      if (shown === 0) return 'No audit entries yet.';
      if (!next) return shown === 1 ? 'Showing the only entry.' : `Showing all ${shown} entries.`;
      return `Showing the latest ${shown} entries.`;
    });
  refresh.addEventListener('click', () => void load(null));
  older.addEventListener('click', () => void load(next));
  void load(null);
  return h(
    'section',
    { 'aria-labelledby': 'audit-heading', class: 'audit' },
    h('h2', { id: 'audit-heading' }, 'Audit log'),
    h(
      'p',
      { class: 'hint' },
      `Times are in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`,
    ),
    refresh,
    status,
    list,
    older,
  );
}

function auditEntry(entry: AuditEntryView): HTMLElement {
  const who = h(
    'span',
    { class: 'audit-who', title: `uid ${entry.actor}` },
    accountText(entry.actor, entry.actorName),
  );
  const what = h('span', { class: 'audit-what' }, actionText(entry));
  if (entry.subject !== entry.actor && entry.subjectName !== null)
    what.title = `Subject uid ${entry.subject}`;
  return h(
    'li',
    { class: 'audit-entry' },
    h('time', { datetime: entry.at?.toISOString() }, whenText(entry.at)),
    h('p', {}, who, ' ', what),
  );
}

/** Staff console (a lazy chunk). Functions and rules enforce access; this page only explains it. */
export function staffPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  const status = statusRegion();
  const content = h('div', { class: 'staff-content' });
  const section = h(
    'section',
    { class: 'card staff wide', 'aria-labelledby': 'staff-heading' },
    h('h1', { id: 'staff-heading' }, 'Staff console'),
    status,
    content,
  );
  loadStaffAccess(user).then(
    (access) => {
      if (access === 'staff') content.replaceChildren(premiumForm(), codesForm(), auditSection());
      else if (access === 'needs-second-factor')
        status.textContent =
          'Staff tools need a sign-in with your second factor. Sign out and sign in again with it.';
      else status.textContent = 'Only staff can use this page.';
    },
    (error: unknown) => {
      status.textContent = describeError(error);
    },
  );
  return section;
}
