/**
 * Errors the user can act on: a stable code, an HTTP status and a message that says what to fix.
 * Anything else that is thrown is a bug and answers 500 without details.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: readonly FieldProblem[] | undefined;
  constructor(code: string, status: number, message: string, details?: readonly FieldProblem[]) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export const notFound = (what: string) => new AppError("not_found", 404, `${what} does not exist`);
export const conflict = (message: string) => new AppError("conflict", 409, message);
export const invalid = (message: string, details?: readonly FieldProblem[]) =>
  new AppError("invalid", 422, message, details);
export const forbidden = (message = "you are not allowed to do this") => new AppError("forbidden", 403, message);
export const unauthorized = (message = "a valid API token is required (Authorization: Bearer <token>)") =>
  new AppError("unauthorized", 401, message);

/** A process cannot start or a command cannot run because of something the operator can fix. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorError";
  }
}
