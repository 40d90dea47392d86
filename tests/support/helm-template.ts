// Renders the Helm chart in deploy/helm/relais without helm (no binary can be installed here): a small
// evaluator of the subset of Go templates and Helm functions the chart uses (ADR "Helm chart checked
// without helm"). It is stricter than Helm, never looser: anything outside the subset (an unknown
// function or action, a pipeline it cannot parse) throws, and printing a value that is missing throws
// where Helm would print nothing.
//
// Supported: {{ }} with {{- -}} trimming and {{/* comments */}}; if / else if / else, range (over lists
// and maps, with `$k, $v :=`), with, define and include; fields (.Values.a.b, $.Values, $var.x),
// strings, numbers, booleans, parentheses and pipes; the functions in `functions` below.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

type Value = unknown;
interface Scope {
  dot: Value;
  root: Value;
  vars: Map<string, Value>;
}
type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipeline: string }
  | { kind: "if"; branches: { cond: string | null; body: Node[] }[] }
  | { kind: "range"; keyVar?: string; valueVar?: string; pipeline: string; body: Node[]; otherwise: Node[] }
  | { kind: "with"; pipeline: string; body: Node[]; otherwise: Node[] };

/** Splits into text and actions, applying the trim markers. */
function lex(source: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let at = 0;
  let trimNext = false;
  while (at < source.length) {
    const open = source.indexOf("{{", at);
    let text = source.slice(at, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open === -1) {
      out.push({ text });
      break;
    }
    const close = source.indexOf("}}", open);
    if (close === -1) throw new Error(`unclosed action at ${open}`);
    let inner = source.slice(open + 2, close);
    if (inner.startsWith("-") && /^-\s/.test(inner)) {
      text = text.replace(/\s+$/, "");
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    out.push({ text });
    inner = inner.trim();
    if (!(inner.startsWith("/*") && inner.endsWith("*/"))) out.push({ action: inner });
    at = close + 2;
  }
  return out.filter((t) => !("text" in t) || t.text !== "");
}

/** Builds the tree; `define`s go to `defines`. */
function parseTemplate(source: string, defines: Map<string, Node[]>): Node[] {
  const tokens = lex(source);
  let i = 0;
  const block = (enders: RegExp): { nodes: Node[]; ender: string } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const token = tokens[i++] as { text: string } | { action: string };
      if ("text" in token) {
        nodes.push({ kind: "text", text: token.text });
        continue;
      }
      const a = token.action;
      if (enders.test(a)) return { nodes, ender: a };
      const ifMatch = a.match(/^if\s+(.+)$/s);
      const rangeMatch = a.match(/^(range|with)\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/s);
      const defineMatch = a.match(/^define\s+"([^"]+)"$/);
      if (ifMatch) {
        const branches: { cond: string | null; body: Node[] }[] = [];
        let cond: string | null = ifMatch[1] as string;
        for (;;) {
          const { nodes: body, ender } = block(/^(else(\s+if\s+.+)?|end)$/s);
          branches.push({ cond, body });
          if (ender === "end") break;
          const elseIf = ender.match(/^else\s+if\s+(.+)$/s);
          cond = elseIf ? (elseIf[1] as string) : null;
          if (cond === null) {
            branches.push({ cond: null, body: block(/^end$/).nodes });
            break;
          }
        }
        nodes.push({ kind: "if", branches });
      } else if (rangeMatch) {
        const first = block(/^(else|end)$/);
        const otherwise = first.ender === "else" ? block(/^end$/).nodes : [];
        const [, kind, v1, v2, pipeline] = rangeMatch as unknown as [string, "range" | "with", string | undefined, string | undefined, string];
        if (kind === "with") nodes.push({ kind, pipeline, body: first.nodes, otherwise });
        else nodes.push({ kind, pipeline, body: first.nodes, otherwise, ...(v2 ? { keyVar: v1, valueVar: v2 } : v1 ? { valueVar: v1 } : {}) });
      } else if (defineMatch) {
        defines.set(defineMatch[1] as string, block(/^end$/).nodes);
      } else if (/^(else|end|template|block|break|continue)\b/.test(a)) {
        throw new Error(`unexpected or unsupported action {{ ${a} }}`);
      } else {
        nodes.push({ kind: "action", pipeline: a });
      }
    }
    if (enders.source !== "^$") throw new Error(`missing {{ end }} (expected ${enders})`);
    return { nodes, ender: "" };
  };
  return block(/^$/).nodes;
}

/** Splits a pipeline into words, keeping strings and parentheses whole. */
function words(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === "(") {
      let depth = 0;
      let j = i;
      do {
        if (text[j] === "(") depth++;
        else if (text[j] === ")") depth--;
        else if (text[j] === '"') while (text[++j] !== '"' && j < text.length);
        j++;
      } while (depth > 0 && j < text.length);
      out.push(text.slice(i, j));
      i = j;
    } else if (c === "|") {
      out.push("|");
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s|()"]/.test(text[j] as string)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

function field(value: Value, path: string[], what: string): Value {
  let v = value;
  for (const key of path) {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== "object") throw new Error(`${what}: cannot read .${key} of a ${typeof v}`);
    v = (v as Record<string, Value>)[key];
  }
  return v;
}

const empty = (v: Value): boolean =>
  v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

function str(v: Value): string {
  if (v === undefined || v === null) throw new Error("a missing value is printed");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export class ChartRenderer {
  readonly #defines = new Map<string, Node[]>();
  readonly #functions: Record<string, (...args: Value[]) => Value> = {
    include: (name, ctx) => this.#render(this.#defines.get(str(name)) ?? this.#fail(`no template "${str(name)}"`), { dot: ctx, root: ctx, vars: new Map() }),
    // Helm's toYaml goes through JSON: map keys come out sorted.
    toYaml: (v) => (v === undefined || v === null ? "" : stringify(v, { lineWidth: 0, sortMapEntries: true }).replace(/\n$/, "")),
    indent: (n, s) => str(s).split("\n").map((l) => " ".repeat(Number(n)) + l).join("\n"),
    nindent: (n, s) => `\n${this.#functions.indent?.(n, s)}`,
    quote: (v) => JSON.stringify(v === undefined || v === null ? "" : str(v)),
    default: (d, v) => (empty(v) ? d : v),
    required: (msg, v) => (empty(v) ? this.#fail(str(msg)) : v),
    b64enc: (s) => Buffer.from(str(s)).toString("base64"),
    sha256sum: (s) => createHash("sha256").update(str(s)).digest("hex"),
    trunc: (n, s) => str(s).slice(0, Number(n)),
    trimSuffix: (suffix, s) => (str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length) : str(s)),
    toString: (v: Value) => str(v),
    contains: (substr, s) => str(s).includes(str(substr)),
    printf: (format, ...args) => {
      let k = 0;
      return str(format).replace(/%[sdv]/g, () => str(args[k++]));
    },
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    not: (v) => empty(v),
    and: (...vs) => vs.find((v) => empty(v)) ?? vs.at(-1),
    or: (...vs) => vs.find((v) => !empty(v)) ?? vs.at(-1),
  };

  #fail(message: string): never {
    throw new Error(message);
  }

  #term(word: string, scope: Scope): Value {
    if (word.startsWith("(")) return this.#pipeline(word.slice(1, -1), scope);
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === "true" || word === "false") return word === "true";
    if (word === ".") return scope.dot;
    if (word.startsWith(".")) return field(scope.dot, word.slice(1).split("."), word);
    if (word.startsWith("$")) {
      const [name, ...path] = word.split(".");
      const base = name === "$" ? scope.root : scope.vars.has(name as string) ? scope.vars.get(name as string) : this.#fail(`undefined variable ${name}`);
      return field(base, path, word);
    }
    this.#fail(`unsupported term ${word}`);
  }

  #pipeline(text: string, scope: Scope): Value {
    const all = words(text);
    const decl = all.length > 2 && all[0]?.startsWith("$") && all[1] === ":=" ? (all.splice(0, 2)[0] as string) : undefined;
    const commands: string[][] = [[]];
    for (const w of all) {
      if (w === "|") commands.push([]);
      else commands.at(-1)?.push(w);
    }
    let value: Value;
    let piped = false;
    for (const command of commands) {
      const [head, ...rest] = command;
      if (head === undefined) this.#fail(`empty command in "${text}"`);
      const fn = head === "true" || head === "false" ? undefined : this.#functions[head];
      if (fn) {
        const args = rest.map((w) => this.#term(w, scope));
        value = fn(...(piped ? [...args, value] : args));
      } else if (/^[a-zA-Z]\w*$/.test(head) && head !== "true" && head !== "false") {
        this.#fail(`unsupported function ${head}`);
      } else {
        if (rest.length > 0 || piped) this.#fail(`cannot call ${head}`);
        value = this.#term(head, scope);
      }
      piped = true;
    }
    if (decl) {
      scope.vars.set(decl, value);
      return "";
    }
    return value;
  }

  #render(nodes: Node[], scope: Scope): string {
    let out = "";
    for (const node of nodes) {
      if (node.kind === "text") out += node.text;
      else if (node.kind === "action") {
        const v = this.#pipeline(node.pipeline, scope);
        out += str(v);
      } else if (node.kind === "if") {
        const branch = node.branches.find((b) => b.cond === null || !empty(this.#pipeline(b.cond, scope)));
        if (branch) out += this.#render(branch.body, scope);
      } else if (node.kind === "with") {
        const v = this.#pipeline(node.pipeline, scope);
        out += empty(v) ? this.#render(node.otherwise, scope) : this.#render(node.body, { ...scope, dot: v });
      } else {
        const v = this.#pipeline(node.pipeline, scope);
        if (empty(v)) {
          out += this.#render(node.otherwise, scope);
          continue;
        }
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((item, k) => [k, item])
          : typeof v === "object" && v !== null
            ? Object.keys(v).sort().map((k) => [k, (v as Record<string, Value>)[k]])
            : this.#fail(`cannot range over ${typeof v}`);
        for (const [key, item] of entries) {
          const vars = new Map(scope.vars);
          if (node.keyVar) vars.set(node.keyVar, key);
          if (node.valueVar) vars.set(node.valueVar, item);
          out += this.#render(node.body, { ...scope, dot: item, vars });
        }
      }
    }
    return out;
  }

  /** Renders every template of the chart in `dir` with its values.yaml overridden by `values`. */
  render(dir: string, options: { values?: Record<string, Value>; release?: { name: string; namespace: string } } = {}): Map<string, string> {
    const chart = parse(readFileSync(join(dir, "Chart.yaml"), "utf8")) as Record<string, Value>;
    const values = merge(parse(readFileSync(join(dir, "values.yaml"), "utf8")) ?? {}, options.values ?? {});
    const release = { Name: options.release?.name ?? "relais", Namespace: options.release?.namespace ?? "default", Service: "Helm", IsInstall: true, IsUpgrade: false };
    const root = { Values: values, Release: release, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } };
    const files = readdirSync(join(dir, "templates")).sort();
    const parsed = new Map<string, Node[]>();
    for (const file of files) parsed.set(file, parseTemplate(readFileSync(join(dir, "templates", file), "utf8"), this.#defines));
    const out = new Map<string, string>();
    for (const [file, nodes] of parsed) {
      if (file.startsWith("_")) continue;
      try {
        out.set(file, this.#render(nodes, { dot: root, root, vars: new Map() }));
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
    }
    return out;
  }
}

/** Helm's values merge: maps merge key by key, anything else is replaced. */
export function merge(base: Value, over: Value): Value {
  if (base && over && typeof base === "object" && typeof over === "object" && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, Value> = { ...(base as Record<string, Value>) };
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}

/** The Kubernetes objects of a rendered chart (empty documents dropped, as helm does). */
export function objectsOf(rendered: Map<string, string>): { file: string; object: Record<string, Value> }[] {
  const out: { file: string; object: Record<string, Value> }[] = [];
  for (const [file, text] of rendered) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}\n${text}`);
      const object = doc.toJS() as Record<string, Value> | null;
      if (object !== null) out.push({ file, object });
    }
  }
  return out;
}
