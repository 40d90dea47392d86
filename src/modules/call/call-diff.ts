/**
 * What changed between two texts, word by word, for the version history: runs of unchanged, removed
 * and added text. Pure; the page marks them up.
 */
export type DiffPart = { readonly kind: "same" | "removed" | "added"; readonly text: string };

/** Words, the spaces after them and line breaks each their own token, so that a diff keeps the layout. */
function tokens(text: string): string[] {
  return text.match(/\n|[^\s]+[^\S\n]*|[^\S\n]+/g) ?? [];
}

/** Above this many cells the middle part is shown as replaced whole (the page stays fast). */
const maxCells = 4_000_000;

export function diffText(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart["kind"], text: string) => {
    if (text === "") return;
    const last = parts.at(-1);
    if (last?.kind === kind) parts[parts.length - 1] = { kind, text: last.text + text };
    else parts.push({ kind, text });
  };
  push("same", a.slice(0, start).join(""));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if ((midA.length + 1) * (midB.length + 1) > maxCells) {
    push("removed", midA.join(""));
    push("added", midB.join(""));
  } else {
    // Longest common subsequence of the middle parts, read back from the end.
    const n = midA.length;
    const m = midB.length;
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? (lcs[(i + 1) * width + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        push("same", midA[i++] as string);
        j++;
      } else if (i < n && (j === m || (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))) {
        push("removed", midA[i++] as string);
      } else {
        push("added", midB[j++] as string);
      }
    }
  }
  push("same", a.slice(endA).join(""));
  return parts;
}

/** Whether anything changed at all. */
export const changed = (parts: readonly DiffPart[]): boolean => parts.some((p) => p.kind !== "same");
