/**
 * Public integration events of vendor slot aggregation (issue #5 part 4), besides the slot events a vendor slot's
 * stream carries (`SlotPublished` / `SlotChanged` / `SlotWithdrawn` with `source: 'vendor'`, on
 * `availability.slot-<vendorSlotId(vendorId, fhirSlotId)>`). Stable forever; new shapes come with a new
 * schemaVersion and an upcaster.
 */

/**
 * The effecteur refuses the automatic display of its booking vendors' slots on the SAS (the real platform's
 * `editor_disabled`): from the next poll of each vendor its vendor slots are withdrawn and none is published until
 * it accepts again. Its manual (SAS) slots are not concerned. Stream `availability.vendor-display-<rpps>`.
 */
export type VendorSlotDisplayRefused = {
  readonly type: 'VendorSlotDisplayRefused';
  readonly data: { readonly effecteurId: string };
};

/** The effecteur accepts the display of its vendor slots again (the default): the next poll publishes them. */
export type VendorSlotDisplayAccepted = {
  readonly type: 'VendorSlotDisplayAccepted';
  readonly data: { readonly effecteurId: string };
};

export type VendorSlotDisplayEvent = VendorSlotDisplayRefused | VendorSlotDisplayAccepted;
export const VENDOR_SLOT_DISPLAY_EVENT_TYPES: readonly VendorSlotDisplayEvent['type'][] = ['VendorSlotDisplayRefused', 'VendorSlotDisplayAccepted'];
export const vendorDisplayStreamName = (effecteurId: string) => `availability.vendor-display-${effecteurId}`;

/**
 * Stale behaviour `flag`: a vendor that failed for longer than its stale TTL keeps its slots published, but they are
 * now STALE — the platform no longer knows whether they are still free. Readers that show slots should flag these
 * (e.g. "disponibilité non confirmée") until a `VendorSlotsRefreshed` names them again; a reader may also choose to
 * hide them. (Stale behaviour `hide` withdraws the slots instead, with `SlotWithdrawn` reason `vendor-stale`, and
 * publishes them again when the vendor answers.) Stream `availability.vendor-<vendorId>`.
 */
export type VendorSlotsStale = {
  readonly type: 'VendorSlotsStale';
  readonly data: {
    readonly vendorId: string;
    /** Public slot ids now stale. */
    readonly slotIds: readonly string[];
    /** Their effecteurs (RPPS), for readers keyed by practitioner. */
    readonly effecteurIds: readonly string[];
    /** Last successful answer for these slots (ISO instant), null if the vendor never answered. */
    readonly lastSuccessAt: string | null;
  };
};

/** The vendor answers again: these slots (still offered) are confirmed fresh. */
export type VendorSlotsRefreshed = {
  readonly type: 'VendorSlotsRefreshed';
  readonly data: { readonly vendorId: string; readonly slotIds: readonly string[]; readonly effecteurIds: readonly string[] };
};

export type VendorStalenessEvent = VendorSlotsStale | VendorSlotsRefreshed;
export const VENDOR_STALENESS_EVENT_TYPES: readonly VendorStalenessEvent['type'][] = ['VendorSlotsStale', 'VendorSlotsRefreshed'];
export const vendorStreamName = (vendorId: string) => `availability.vendor-${vendorId}`;

/** `SlotWithdrawn.reason` values the aggregation job writes. */
export const VENDOR_WITHDRAWAL_REASONS = {
  /** The vendor no longer offers the slot (taken, cancelled, moved out of the window). */
  gone: 'vendor-withdrawn',
  /** The effecteur refused the display of its vendor slots. */
  refused: 'vendor-display-refused',
  /** The vendor failed for longer than its stale TTL (stale behaviour `hide`). */
  stale: 'vendor-stale',
} as const;
