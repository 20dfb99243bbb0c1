/**
 * Public integration events of the availability module: the language other modules (directory search,
 * orientation, participation) listen to. Stable forever; new shapes come with a new schemaVersion and an upcaster.
 */
export const CONSULTATION_TYPES = ['cabinet', 'teleconsultation', 'domicile'] as const;
export type ConsultationType = (typeof CONSULTATION_TYPES)[number];

export type SlotSource = 'manual' | 'vendor';

export type SlotPublished = {
  readonly type: 'SlotPublished';
  readonly data: {
    readonly slotId: string;
    /** RPPS of the effecteur (11 digits). */
    readonly effecteurId: string;
    /** ISO-8601 instants (UTC). */
    readonly start: string;
    readonly end: string;
    readonly consultationTypes: readonly ConsultationType[];
    readonly source: SlotSource;
  };
};

export type SlotWithdrawn = {
  readonly type: 'SlotWithdrawn';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly reason: string | null;
  };
};

export type AvailabilityIntegrationEvent = SlotPublished | SlotWithdrawn;

export const AVAILABILITY_STREAM_PREFIX = 'availability.';
export const slotStreamName = (slotId: string) => `availability.slot-${slotId}`;
