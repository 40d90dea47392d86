import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { html, type SafeHtml } from "../../html.ts";

/** The hidden field every form carries against CSRF. */
export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]+/g, "-")}`;

/** The problem of one field, if any (a problem of `location.country` belongs to `location.country`). */
export function problemOf(problems: readonly FieldProblem[] | undefined, ...fields: string[]): string | undefined {
  return problems?.find((p) => fields.some((f) => p.field === f || p.field.startsWith(`${f}.`)))?.message;
}

export interface InputOptions {
  readonly name: string;
  readonly label: string;
  readonly value?: string | undefined;
  readonly type?: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly attrs?: SafeHtml;
  readonly lang?: string | undefined;
}

/** A labelled input with its hint and its error next to it (announced to screen readers). */
export function input(o: InputOptions): SafeHtml {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field${o.error ? " has-error" : ""}">
<label for="${id}">${o.label}${o.required ? html` <span aria-hidden="true">*</span>` : ""}</label>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ""}
${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ""}
<input id="${id}" name="${o.name}" type="${o.type ?? "text"}" value="${o.value ?? ""}"${o.required ? html` required` : ""}${
    o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""
  }${described ? html` aria-describedby="${described}"` : ""}${o.error ? html` aria-invalid="true"` : ""}${o.lang ? html` lang="${o.lang}"` : ""}${o.attrs ?? ""}>
</div>`;
}

export function textarea(o: InputOptions & { rows?: number }): SafeHtml {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field${o.error ? " has-error" : ""}">
<label for="${id}">${o.label}${o.required ? html` <span aria-hidden="true">*</span>` : ""}</label>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ""}
${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ""}
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 4}"${o.required ? html` required` : ""}${described ? html` aria-describedby="${described}"` : ""}${
    o.error ? html` aria-invalid="true"` : ""
  }${o.lang ? html` lang="${o.lang}"` : ""}>${o.value ?? ""}</textarea>
</div>`;
}

export function select(o: InputOptions & { options: readonly { value: string; label: string }[] }): SafeHtml {
  const id = fieldId(o.name);
  return html`<div class="field${o.error ? " has-error" : ""}">
<label for="${id}">${o.label}</label>
${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ""}
<select id="${id}" name="${o.name}"${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ""}>${o.options.map(
    (opt) => html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ""}>${opt.label}</option>`,
  )}</select>
</div>`;
}

export function checkbox(o: { name: string; label: string; checked: boolean; hint?: string }): SafeHtml {
  const id = fieldId(o.name);
  return html`<div class="field check"><input id="${id}" name="${o.name}" type="checkbox" value="1"${o.checked ? html` checked` : ""}>
<label for="${id}">${o.label}</label>${o.hint ? html`<p class="hint">${o.hint}</p>` : ""}</div>`;
}

/** The list of problems at the top of a form, each linking to its field. */
export function errorSummary(lang: string, problems: readonly FieldProblem[] | undefined, message?: string): SafeHtml | "" {
  if (!message && (!problems || problems.length === 0)) return "";
  return html`<div class="notice error-summary" role="alert" tabindex="-1">
<p><strong>${message ?? t(lang, "editor:form.fix")}</strong></p>
${problems && problems.length > 0 ? html`<ul>${problems.map((p) => html`<li><a href="#${fieldId(p.field)}">${p.message}</a></li>`)}</ul>` : ""}
</div>`;
}

/** A small form with one button (log out, approve, delete…): buttons that change something are POSTs. */
export function buttonForm(o: { action: string; csrf: string; label: string; danger?: boolean; hidden?: Record<string, string> }): SafeHtml {
  return html`<form method="post" action="${o.action}" class="inline">${csrfField(o.csrf)}${Object.entries(o.hidden ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}<button type="submit"${o.danger ? html` class="danger"` : ""}>${o.label}</button></form>`;
}
