// The chart renderer of tests/support/helm-template.ts against what helm does with the same templates
// (the outputs below are helm's, for the Go template and Sprig semantics the chart relies on).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChartRenderer } from "./helm-template.ts";

const dir = mkdtempSync(join(tmpdir(), "relais-chart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function render(template: string, values: Record<string, unknown> = {}, helpers = ""): string {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n");
  writeFileSync(join(dir, "values.yaml"), "a: 1\nlist: [x, y]\nmap: {b: 2, a: 1}\nempty: {}\nname: demo\n");
  writeFileSync(join(dir, "templates", "_helpers.tpl"), helpers);
  writeFileSync(join(dir, "templates", "t.yaml"), template);
  return new ChartRenderer().render(dir, { values, release: { name: "rel", namespace: "ns" } }).get("t.yaml") as string;
}

describe("the chart renderer", () => {
  it("trims whitespace around {{- and -}} and drops comments", () => {
    expect(render("a:\n  {{- /* note */ -}}\n  b\n")).toBe("a:b\n");
    expect(render("x: {{ .Values.a }}\n{{- if true }}\ny: 2\n{{- end }}\n")).toBe("x: 1\ny: 2\n");
  });

  it("reads values, release and chart fields, and variables", () => {
    expect(render("{{ .Release.Name }} {{ .Release.Namespace }} {{ .Chart.Name }} {{ .Chart.AppVersion }} {{ $.Values.name }}")).toBe("rel ns demo 4.5 demo");
    expect(render("{{ .Values.a }}", { a: 7 })).toBe("7");
  });

  it("branches with if / else if / else, on Go's truth (empty maps, lists and strings are false)", () => {
    const t = "{{ if .Values.empty }}a{{ else if .Values.list }}b{{ else }}c{{ end }}";
    expect(render(t)).toBe("b");
    expect(render(t, { list: [] })).toBe("c");
    expect(render("{{ if and .Values.a (not .Values.empty) }}yes{{ end }}")).toBe("yes");
  });

  it("ranges over lists in order and maps by sorted key, with variables; with rebinds the dot", () => {
    expect(render("{{ range .Values.list }}[{{ . }}]{{ end }}")).toBe("[x][y]");
    expect(render("{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }};{{ end }}")).toBe("a=1;b=2;");
    expect(render("{{ with .Values.map }}{{ .b }}{{ end }}{{ with .Values.empty }}no{{ else }}none{{ end }}")).toBe("2none");
  });

  it("applies the Helm functions the chart uses", () => {
    expect(render("{{ .Values.map | toYaml | nindent 2 }}")).toBe("\n  a: 1\n  b: 2");
    expect(render('{{ "x" | quote }} {{ default "d" .Values.missing }} {{ default "d" .Values.name }}')).toBe('"x" d demo');
    expect(render('{{ printf "%s-%s" .Release.Name "relais" | trunc 5 | trimSuffix "-" }}')).toBe("rel-r");
    expect(render('{{ "abc" | b64enc }} {{ "abc" | sha256sum | trunc 8 }} {{ contains "el" .Release.Name }}')).toBe("YWJj ba7816bf true");
    expect(render('{{ include "x" . }}', {}, '{{- define "x" -}}{{ .Release.Name }}!{{- end -}}')).toBe("rel!");
  });

  it("is stricter than helm, never looser", () => {
    expect(() => render('{{ required "a is needed" .Values.missing }}')).toThrow(/a is needed/);
    expect(() => render("{{ .Values.missing }}")).toThrow(/missing value/);
    expect(() => render("{{ upper .Values.name }}")).toThrow(/unsupported function upper/);
    expect(() => render("{{ if true }}open")).toThrow(/missing \{\{ end \}\}/);
    expect(() => render('{{ template "x" . }}')).toThrow(/unsupported action/);
  });
});
