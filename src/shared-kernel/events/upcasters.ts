import type { RecordedEvent } from './envelope.ts';

/** A pure function from one stored shape of an event type to the next (`fromVersion` → `fromVersion + 1`). */
export interface Upcaster {
  readonly eventType: string;
  readonly fromVersion: number;
  readonly upcast: (data: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Old event shapes are upcast on read, never rewritten in the store. The registry chains upcasters,
 * so an event stored at version 1 passes through 1→2, 2→3, … until no upcaster remains.
 */
export class UpcasterRegistry {
  readonly #byKey = new Map<string, Upcaster>();

  register(upcaster: Upcaster): this {
    const key = `${upcaster.eventType}@${upcaster.fromVersion}`;
    if (this.#byKey.has(key)) throw new Error(`An upcaster for ${key} is already registered`);
    this.#byKey.set(key, upcaster);
    return this;
  }

  get size(): number {
    return this.#byKey.size;
  }

  upcast<E extends RecordedEvent>(event: E): E {
    if (this.#byKey.size === 0) return event;
    let current = event;
    for (;;) {
      const next = this.#byKey.get(`${current.type}@${current.metadata.schemaVersion}`);
      if (!next) return current;
      current = {
        ...current,
        data: next.upcast(current.data),
        metadata: { ...current.metadata, schemaVersion: current.metadata.schemaVersion + 1 },
      };
    }
  }
}
