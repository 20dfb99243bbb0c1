/**
 * A circuit breaker per vendor, as pure transitions: `closed` (polls go out), `open` after `threshold` consecutive
 * failed polls (polls are skipped: a vendor that is down is not hammered), `half-open` once `openMs` has passed
 * (one trial poll; its success closes the circuit, its failure opens it again for another `openMs`).
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface Circuit {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** When the circuit last opened (ms since epoch), null when closed. */
  readonly openedAt: number | null;
}

export interface CircuitSettings {
  readonly threshold: number;
  readonly openMs: number;
}

export const closedCircuit: Circuit = { state: 'closed', consecutiveFailures: 0, openedAt: null };

/** Whether a poll may go out now, and the circuit as it stands once that is decided (open → half-open). */
export function admit(circuit: Circuit, now: number, settings: CircuitSettings): { readonly allowed: boolean; readonly circuit: Circuit } {
  if (circuit.state === 'open') {
    if (circuit.openedAt !== null && now - circuit.openedAt >= settings.openMs) return { allowed: true, circuit: { ...circuit, state: 'half-open' } };
    return { allowed: false, circuit };
  }
  return { allowed: true, circuit };
}

export function onSuccess(_circuit: Circuit): Circuit {
  return closedCircuit;
}

export function onFailure(circuit: Circuit, now: number, settings: CircuitSettings): Circuit {
  const consecutiveFailures = circuit.consecutiveFailures + 1;
  if (circuit.state === 'half-open' || circuit.state === 'open') return { state: 'open', consecutiveFailures, openedAt: now };
  if (consecutiveFailures >= settings.threshold) return { state: 'open', consecutiveFailures, openedAt: now };
  return { state: 'closed', consecutiveFailures, openedAt: null };
}
