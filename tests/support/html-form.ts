// What a browser would send for a form of a page, as it is shown: the inputs' values (checkboxes only
// when ticked), the textareas' text, each select's chosen option. Enough for the editor's forms.

const decode = (s: string) =>
  s
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1] as string) : undefined;
};

/** The fields of the first `<form method="post">` whose action starts with `action`. */
export function formFields(html: string, action: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const form = forms.find((f) => attr(/^<form\b[^>]*>/.exec(f)?.[0] ?? "", "action")?.startsWith(action));
  if (!form) throw new Error(`no form posting to ${action}`);
  const out: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, "name");
    if (!name) continue;
    const type = attr(tag, "type") ?? "text";
    if (type === "checkbox" || type === "radio") {
      if (/\schecked\b/.test(tag)) out[name] = attr(tag, "value") ?? "on";
    } else out[name] = attr(tag, "value") ?? "";
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1] as string, "name");
    if (name) out[name] = decode(m[2] as string);
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1] as string, "name");
    if (!name) continue;
    const options = [...(m[2] as string).matchAll(/<option\b[^>]*>/g)].map((o) => o[0]);
    const chosen = options.find((o) => /\sselected\b/.test(o)) ?? options[0];
    out[name] = chosen ? (attr(chosen, "value") ?? "") : "";
  }
  return out;
}
