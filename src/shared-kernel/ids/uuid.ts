import { randomUUID } from 'node:crypto';
import { err, ok, validationError, type Result } from '../errors/result.ts';

/** An RFC 9562 UUID in canonical lower-case form, the platform's identifier for its own aggregates. */
export type Uuid = string & { readonly __brand: 'Uuid' };

/** Any version/variant is accepted: ids may come from other systems (v1, v7…), only the shape matters. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new random (v4) UUID. */
export const newId = (): Uuid => randomUUID() as Uuid;

/** Accepts upper case and normalises to lower case so that equal ids compare equal as strings. */
export function parseUuid(input: unknown): Result<Uuid> {
  if (typeof input !== 'string') return err(validationError('InvalidUuid', 'An identifier must be a UUID string'));
  const value = input.trim().toLowerCase();
  if (!UUID.test(value)) {
    return err(validationError('InvalidUuid', 'An identifier must be a UUID (8-4-4-4-12 hexadecimal digits)', { value: input }));
  }
  return ok(value as Uuid);
}

export const isUuid = (value: unknown): value is Uuid => typeof value === 'string' && UUID.test(value);
