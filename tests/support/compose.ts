// What Docker Compose does to a compose file before it runs it, for tests without a container engine:
// read a .env file, and fill ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and ${VAR?error}
// in every string (the subset of Compose's interpolation our files use; $$ is a literal $).

/** KEY=value lines; blank lines and # comments skipped; no quotes or export (our env files have none). */
export function readEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq < 1) throw new Error(`not KEY=value: ${line}`);
    values[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return values;
}

const variable = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function fill(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(variable, (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (match === "$$") return "$";
    const name = (braced ?? bare) as string;
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === "";
    switch (op) {
      case ":-":
        return unsetOrEmpty ? (arg ?? "") : value;
      case "-":
        return value === undefined ? (arg ?? "") : value;
      case ":?":
        if (unsetOrEmpty) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return value;
      case "?":
        if (value === undefined) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return value;
      default:
        return value ?? "";
    }
  });
}

/** The document with every string filled from `env` (keys too, as Compose does). */
export function interpolate(document: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof document === "string") return fill(document, env);
  if (Array.isArray(document)) return document.map((item) => interpolate(item, env));
  if (document !== null && typeof document === "object") {
    return Object.fromEntries(Object.entries(document).map(([k, v]) => [fill(k, env), interpolate(v, env)]));
  }
  return document;
}
