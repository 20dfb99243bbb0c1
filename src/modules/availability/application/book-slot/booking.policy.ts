import { hasRole } from '../../../../shared-kernel/auth/principal.ts';
import { policy } from '../../../../shared-kernel/auth/route.ts';

/**
 * Booking a slot for a patient, and cancelling that booking, is regulation work: the régulateur / OSNP or the
 * IOA who called the doctor, whatever their territory (a patient may be oriented anywhere).
 */
export const bookingPolicy = policy<undefined>('régulation : régulateur / OSNP, IOA', (p) => hasRole(p, 'regulateur-osnp', 'ioa'));
