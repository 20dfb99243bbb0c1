import { createHash, randomUUID } from 'node:crypto';
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

/**
 * A name-based UUID (RFC 9562 version 5, SHA-1) of `name` in the namespace `namespace` (a UUID): the same name
 * always gives the same id, different names practically never the same one. Deterministic, hence usable by
 * deciders and projections that must recompute an id.
 */
export function nameBasedUuid(namespace: string, name: string): Uuid {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError(`nameBasedUuid: the namespace must be a UUID, got ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}` as Uuid;
}
