import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import type { VendorSlotDisplayEvent } from '../contracts/vendor-aggregation.events.ts';

/** The effecteur accepts (`displayed: true`, the default) or refuses the display of its vendor slots. */
export type SetVendorSlotDisplay = { readonly type: 'SetVendorSlotDisplay'; readonly effecteurId: string; readonly displayed: boolean };

export type VendorDisplayState = { readonly status: 'accepted' } | { readonly status: 'refused' };

/** One effecteur's choice about its vendor slots; saying the same twice changes nothing. */
export const vendorDisplayDecider: Decider<SetVendorSlotDisplay, VendorSlotDisplayEvent, VendorDisplayState> = {
  initialState: () => ({ status: 'accepted' }),
  decide(command, state) {
    if (command.displayed && state.status === 'refused') return [{ type: 'VendorSlotDisplayAccepted', data: { effecteurId: command.effecteurId } }];
    if (!command.displayed && state.status === 'accepted') return [{ type: 'VendorSlotDisplayRefused', data: { effecteurId: command.effecteurId } }];
    return [];
  },
  evolve(_state, event) {
    return event.type === 'VendorSlotDisplayRefused' ? { status: 'refused' } : { status: 'accepted' };
  },
};
