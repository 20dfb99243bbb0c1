/** Machine clients (booking vendors, LRM systems): registered, rotated and revoked by a national administrator. */
import { z } from 'zod';
import { hasRole, type MachinePrincipal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { clientStreamName } from '../../contracts/identity.events.ts';
import { CLIENT_ID } from '../../domain/client.decider.ts';
import { hashSecret, newClientSecret } from '../../infrastructure/client-secrets.ts';
import type { IdentityDeps } from '../identity.deps.ts';

const registerBody = z.strictObject({
  clientId: z.string().regex(CLIENT_ID, 'attendu : minuscules, chiffres et tirets (3 à 63 caractères), ex. editeur-agenda'),
  kind: z.enum(['vendor', 'lrm'], { message: 'attendu : vendor (éditeur de logiciel de prise de rendez-vous) ou lrm' }),
  name: z.string().trim().min(1).max(200),
  /** Certificate-only clients (production mTLS) get no secret. */
  withSecret: z.boolean().default(true),
});
const clientParams = z.strictObject({ clientId: z.string().regex(CLIENT_ID, 'identifiant de client invalide') });
const adminOnly = policy('administrateur national', (p) => hasRole(p, 'admin-national'));

export function manageClientsRoutes(deps: IdentityDeps): RouteDefinition<any>[] {
  const existing = async (clientId: string) => {
    const { state } = await deps.clients.load(clientStreamName(clientId));
    if (state.status === 'initial') throw new HttpProblem(problem(404, 'ClientDoesNotExist', `Le client ${clientId} n’existe pas.`));
    return state;
  };
  return [
    {
      method: 'post',
      path: '/identity/clients',
      summary: 'Register a machine client; its secret is shown once',
      docs: { body: registerBody },
      policy: adminOnly,
      async handle(req, res) {
        const body = parseInput(registerBody, req.body ?? {}, 'body');
        const secret = body.withSecret ? newClientSecret() : null;
        await deps.clients.handle(
          clientStreamName(body.clientId),
          { type: 'RegisterClient', clientId: body.clientId, kind: body.kind, name: body.name, secretHash: secret ? await hashSecret(secret) : null },
          commandContext(req, deps.clock),
        );
        res.status(201).setHeader('Cache-Control', 'no-store').json({ clientId: body.clientId, secret });
      },
    },
    {
      method: 'post',
      path: '/identity/clients/:clientId/rotate-secret',
      summary: 'Replace a client secret; the old one stops working at once',
      policy: adminOnly,
      async handle(req, res) {
        const { clientId } = parseInput(clientParams, req.params, 'params');
        await existing(clientId);
        const secret = newClientSecret();
        await deps.clients.handle(clientStreamName(clientId), { type: 'RotateClientSecret', secretHash: await hashSecret(secret) }, commandContext(req, deps.clock));
        res.setHeader('Cache-Control', 'no-store').json({ clientId, secret });
      },
    },
    {
      method: 'post',
      path: '/identity/clients/:clientId/revoke',
      summary: 'Revoke a client at once',
      policy: adminOnly,
      async handle(req, res) {
        const { clientId } = parseInput(clientParams, req.params, 'params');
        await existing(clientId);
        await deps.clients.handle(clientStreamName(clientId), { type: 'RevokeClient', reason: null }, commandContext(req, deps.clock));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/identity/clients/me',
      summary: 'The calling machine client',
      policy: policy('un client machine authentifié (éditeur, LRM)', (p) => p?.kind === 'machine'),
      async handle(_req, res, { principal }) {
        const machine = principal as MachinePrincipal;
        const state = await existing(machine.clientId);
        res.json({ clientId: machine.clientId, kind: machine.clientKind, name: state.name });
      },
    },
  ];
}
