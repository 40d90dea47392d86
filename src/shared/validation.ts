import type { z } from "zod";
import { type FieldProblem, invalid } from "./errors.ts";

/** Zod issues as field problems: `location.country: must be an ISO country code…`. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}

/** Parses `input` or throws a 422 AppError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error);
  throw invalid(`${what} is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`, problems);
}
