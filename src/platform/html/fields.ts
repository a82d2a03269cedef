// Form fields with their label, the value the person typed, and the error message tied to the
// input for screen readers: one implementation for every form on the site.
import { html, type SafeHtml } from './html.ts';
import { describedBy, fieldError } from './layout.ts';

export type FieldErrors = Record<string, string> | undefined;
export type FieldValues = Record<string, unknown>;

/** The submitted or stored value of a field as text; empty for null and missing values. */
export function fieldValue(values: FieldValues, name: string): string {
  const value = values[name];
  return value === null || value === undefined ? '' : String(value);
}

export function textField(options: {
  name: string;
  label: string;
  values: FieldValues;
  errors: FieldErrors;
  type?: string;
  /** Extra attributes, e.g. html` required autocomplete="email"`. */
  extra?: SafeHtml;
}): SafeHtml {
  const { name, label, values, errors, type = 'text', extra = html`` } = options;
  // A password is never sent back to the browser.
  const value = type === 'password' ? '' : fieldValue(values, name);
  return html`<label for="${name}">${label}</label>
  <input type="${type}" id="${name}" name="${name}" value="${value}"${describedBy(errors, name)}${extra}>
  ${fieldError(errors, name)}`;
}

export function selectField(options: {
  name: string;
  label: string;
  values: FieldValues;
  errors: FieldErrors;
  choices: { value: string; label: string }[];
  /** Label of an empty first choice, when the field may be left empty. */
  empty?: string;
}): SafeHtml {
  const { name, label, values, errors, choices, empty } = options;
  const current = fieldValue(values, name);
  return html`<label for="${name}">${label}</label>
  <select id="${name}" name="${name}"${describedBy(errors, name)}>
    ${empty !== undefined ? html`<option value="">${empty}</option>` : ''}
    ${choices.map((c) => html`<option value="${c.value}"${c.value === current ? html` selected` : ''}>${c.label}</option>`)}
  </select>
  ${fieldError(errors, name)}`;
}

export function textAreaField(options: {
  name: string;
  label: string;
  values: FieldValues;
  errors: FieldErrors;
  rows?: number;
  hint?: string;
}): SafeHtml {
  const { name, label, values, errors, rows = 4, hint } = options;
  return html`<label for="${name}">${label}</label>
  ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ''}
  <textarea id="${name}" name="${name}" rows="${rows}"${describedBy(errors, name)}>${fieldValue(values, name)}</textarea>
  ${fieldError(errors, name)}`;
}

/** A group of checkboxes sharing one name; the submitted value is a list. */
export function checkboxGroup(options: {
  name: string;
  legend: string;
  values: FieldValues;
  errors: FieldErrors;
  choices: { value: string; label: string }[];
}): SafeHtml {
  const { name, legend, values, errors, choices } = options;
  const raw = values[name];
  const selected = new Set(Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []);
  return html`<fieldset class="checkboxes"${describedBy(errors, name)}>
  <legend>${legend}</legend>
  ${choices.map((c, i) => html`<span class="checkbox"><input type="checkbox" id="${name}-${i}" name="${name}" value="${c.value}"${selected.has(c.value) ? html` checked` : ''}><label for="${name}-${i}">${c.label}</label></span>`)}
  ${fieldError(errors, name)}
</fieldset>`;
}
