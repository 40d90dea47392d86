/**
 * Letter templates: plain text with `{{field}}` blanks. The server only checks them and prints them with
 * blanks (the page without JavaScript, the federated Article); the person's browser fills them
 * (src/web/assets/actionkit.js spells the same rules: one `{{name}}` syntax, nothing else is special).
 */

/** `{{ name }}`: spaces inside the braces are allowed; a name is lower-case letters, digits and `_`. */
const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;

export const fieldNamePattern = /^[a-z][a-z0-9_]{0,39}$/;

/** The names a template refers to, in order of first use (invalid names included: the caller reports them). */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(placeholder)].map((m) => m[1] ?? ""))];
}

/** The template with every blank replaced by `fill(name)`. */
export function fillTemplate(template: string, fill: (name: string) => string): string {
  return template.replace(placeholder, (_m, name: string) => fill(name));
}

/** A blank to fill by hand on paper: a line long enough to write on, the field's label under it in brackets. */
export function blank(label: string | undefined): string {
  return label ? `__________ (${label})` : "__________";
}
