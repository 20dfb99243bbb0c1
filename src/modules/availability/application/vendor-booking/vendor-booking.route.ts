import { z } from 'zod';
import { isActiveUser } from '../../../../shared-kernel/auth/principal.ts';
import { principalOf, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import type { VendorRegistry } from '../../infrastructure/vendors/vendor-registry.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { bookingPolicy } from '../book-slot/booking.policy.ts';
import { bookingSlotParams } from '../book-slot/book-slot.route.ts';
import { vendorBookingTarget } from './vendor-booking.handler.ts';

/** No query parameter at all: nothing of the patient can ride along to the vendor. */
const noQuery = z.strictObject({});

/**
 * GET /api/slots/:slotId/vendor-booking — end-to-end booking: 303 to the vendor's booking page with `origin=sas…`
 * (a browser navigation: the regulator's session cookie, no body, nothing changed on the platform).
 */
export function vendorBookingRoute(deps: AvailabilityDeps, registry: VendorRegistry, logger: Logger): RouteDefinition {
  return {
    method: 'get',
    path: '/slots/:slotId/vendor-booking',
    summary:
      'Book a vendor slot at its vendor (end-to-end): 303 to the vendor’s booking page (Slot.comment) with origin=sas…; 409 when the slot is not booked this way (manual slot, aggregation-only vendor, booked, withdrawn), 404 unknown',
    docs: { query: noQuery },
    policy: bookingPolicy,
    async handle(req, res) {
      const { slotId } = parseInput(bookingSlotParams, req.params, 'params');
      parseInput(noQuery, req.query, 'query');
      const target = await vendorBookingTarget(deps, registry, slotId);
      const principal = principalOf(res);
      logger.info({ slotId, vendorId: target.vendorId, accountId: isActiveUser(principal) ? principal.accountId : null }, 'regulator sent to the vendor’s booking page');
      res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').redirect(303, target.url);
    },
  };
}
