import express, { type RequestHandler } from "express";
import { AppError } from "../shared/errors.ts";
import { unstorableJson } from "../shared/json-limits.ts";

/**
 * The API's JSON body parser: at most 256 kB, then refused with 400 when nothing could store it — a
 * NUL character or a lone surrogate in any text or key, or nesting deeper than 64 levels — naming the
 * field, before any validator or query sees it.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: "256kb", type: ["application/json", "application/*+json"] });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      const problem = unstorableJson(req.body);
      if (problem) return next(new AppError("unstorable", 400, `${problem.field} ${problem.message}`, [problem]));
      next();
    });
  };
}
