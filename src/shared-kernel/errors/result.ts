/** A value or a typed error, for code paths where failure is part of the domain. */
export type Result<T, E = DomainError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/**
 * Kinds of failure the platform distinguishes; each maps to one HTTP status (see `httpStatusOf`).
 * - validation: the input is malformed (400)
 * - forbidden: the actor may not do this (403)
 * - not-found: the target does not exist (404)
 * - conflict: a business rule or a concurrent change refuses it (409)
 * - precondition: an expected revision did not match (412)
 */
export type ErrorKind = 'validation' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'precondition';

/** A business error: `code` is a stable, named business sentence (`BookedSlotCannotBeEdited`). */
export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(kind: ErrorKind, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const validationError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('validation', code, message, details);
export const conflictError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, details);
export const notFoundError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('not-found', code, message, details);
export const forbiddenError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', code, message, details);

const statusByKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  precondition: 412,
};

export const httpStatusOf = (error: DomainError): number => statusByKind[error.kind];

/** Exhaustiveness guard for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
