// Errors the domain raises on purpose. The HTTP layer turns them into RFC 9457 problem details
// (API) or a page with the message next to the field (forms).

export interface FieldProblem {
  /** The form field or JSON property, e.g. "email"; becomes the JSON pointer "/email". */
  field: string;
  /** A locale key, e.g. "validation.required". */
  message: string;
  params?: Record<string, string | number>;
  /** Where a request parameter was: the query string, the path or the body (forms leave it out). */
  in?: 'query' | 'path' | 'body';
}

/** Input that breaks a rule: status 422 by default, 409 for conflicts such as a duplicate. */
export class ValidationError extends Error {
  readonly problems: FieldProblem[];
  readonly statusCode: number;
  constructor(problems: FieldProblem[], statusCode = 422) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.problems = problems;
    this.statusCode = statusCode;
  }
}

export class NotFoundError extends Error {
  readonly statusCode = 404;
}

export class ForbiddenError extends Error {
  readonly statusCode = 403;
}

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
}
