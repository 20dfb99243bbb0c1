import type { ServiceIdentifier } from 'inversify';
import type { IdentityDeps } from './application/identity.deps.ts';
import type { DevIdentityProvider } from './infrastructure/dev-idp/dev-identity-provider.ts';

export const IDENTITY = {
  deps: Symbol.for('sas.identity.deps') as ServiceIdentifier<IdentityDeps>,
  devIdp: Symbol.for('sas.identity.devIdp') as ServiceIdentifier<{ current: DevIdentityProvider | null }>,
};
