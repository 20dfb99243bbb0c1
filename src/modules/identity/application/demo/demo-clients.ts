/**
 * Demo machine clients of the embedded default (development and test, never production): the embedded vendor
 * simulator reports appointments to the platform's FHIR endpoint as the machine client named after it. Registered at
 * the first start; at every later start its secret is rotated, since only its hash is kept: the fresh secret is
 * answered in-process to the module that asked (shared-kernel/auth/demo-machine-clients.ts), never logged.
 */
import { systemActor, type CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import type { DemoMachineClientIssuer } from '../../../../shared-kernel/auth/demo-machine-clients.ts';
import { clientStreamName } from '../../contracts/identity.events.ts';
import { hashSecret, newClientSecret } from '../../infrastructure/client-secrets.ts';
import type { IdentityDeps } from '../identity.deps.ts';

export const demoMachineClientIssuer =
  (deps: IdentityDeps): DemoMachineClientIssuer =>
  async ({ clientId, kind, name }) => {
    const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now: deps.clock() };
    const stream = clientStreamName(clientId);
    const { state } = await deps.clients.load(stream);
    if (state.status === 'revoked' || (state.status === 'active' && state.kind !== kind)) {
      // Revoked (or another kind) by an administrator: a demo peer does not bring it back.
      deps.logger.warn({ clientId }, 'demo machine client not issued: revoked or of another kind');
      return null;
    }
    const secret = newClientSecret();
    const secretHash = await hashSecret(secret);
    if (state.status === 'initial') await deps.clients.handle(stream, { type: 'RegisterClient', clientId, kind, name, secretHash }, ctx);
    else await deps.clients.handle(stream, { type: 'RotateClientSecret', secretHash }, ctx);
    deps.logger.info({ clientId, kind, registered: state.status === 'initial' }, 'demo machine client issued (secret handed in-process)');
    return { clientId, secret };
  };
