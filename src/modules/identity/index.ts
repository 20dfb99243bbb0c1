import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { PlatformModule } from '../../shared-kernel/platform-module.ts';
import { CommandHandler } from '../../shared-kernel/application/command-handler.ts';
import { TOKENS } from '../../shared-kernel/tokens.ts';
import { authenticate, forgetRecentAccount } from './application/authenticate.ts';
import type { EventStore } from '../../shared-kernel/event-store/event-store.port.ts';
import { seedDemoAccounts } from './application/demo/demo-accounts.ts';
import { demoMachineClientIssuer } from './application/demo/demo-clients.ts';
import type { IdentityDeps } from './application/identity.deps.ts';
import { linkAccountRoute } from './application/link-account/link-account.route.ts';
import { loginRoutes } from './application/login/login.routes.ts';
import { manageAccountsRoutes } from './application/manage-accounts/manage-accounts.routes.ts';
import { meRoute } from './application/me/me.route.ts';
import { accountDecider } from './domain/account.decider.ts';
import { clientDecider } from './domain/client.decider.ts';
import { manageClientsRoutes } from './application/manage-clients/manage-clients.routes.ts';
import { accountsProjection } from './infrastructure/accounts.projection.ts';
import { DEMO_IDENTITIES } from './infrastructure/dev-idp/demo-identities.ts';
import { createDevIdentityProvider } from './infrastructure/dev-idp/dev-identity-provider.ts';
import { RelyingParty } from './infrastructure/oidc-relying-party.ts';
import { createSessionTables, SessionStore } from './infrastructure/session-store.ts';
import { IDENTITY } from './identity.tokens.ts';

const DEV_IDP_PATH = '/dev-idp';

/** Identity: accounts, roles, territories, Pro Santé Connect login and sessions. */
export const identityModule: PlatformModule = {
  name: 'identity',
  register(container) {
    container.bind(IDENTITY.devIdp).toConstantValue({ current: null });
    container
      .bind(IDENTITY.deps)
      .toDynamicValue((ctx) => {
        const config = ctx.get(TOKENS.config);
        const clock = ctx.get(TOKENS.clock);
        const readDb = ctx.get(TOKENS.readDb);
        // The embedded provider gets a fresh client secret at each start; PSC's comes from the configuration.
        const clientSecret = config.oidc.clientSecret ?? randomBytes(32).toString('base64url');
        const settings = { clientCertOu: config.tls?.clientCertOu ?? null, secureCookies: config.nodeEnv === 'production' || (config.publicUrl?.startsWith('https:') ?? false), sessionSameSite: config.session.cookieSameSite, publicUrl: config.publicUrl ?? `http://localhost:${config.port}` };
        let relyingParty: RelyingParty | null = null;
        const deps: IdentityDeps = {
          accounts: accountHandler(ctx.get(TOKENS.eventStore), ctx.get(TOKENS.newId)),
          clients: new CommandHandler(ctx.get(TOKENS.eventStore), clientDecider, ctx.get(TOKENS.newId)),
          eventStore: ctx.get(TOKENS.eventStore),
          sessions: new SessionStore(readDb, { idleMs: config.session.idleMinutes * 60_000, absoluteMs: config.session.absoluteHours * 3_600_000 }, clock),
          readDb,
          clock,
          newId: ctx.get(TOKENS.newId),
          logger: ctx.get(TOKENS.logger),
          settings,
          oidcClientSecret: clientSecret,
          relyingParty() {
            relyingParty ??= new RelyingParty({
              issuer: config.oidc.issuer ?? `${settings.publicUrl}${DEV_IDP_PATH}`,
              clientId: config.oidc.clientId,
              clientSecret,
              redirectUri: `${settings.publicUrl}/auth/callback`,
              postLogoutRedirectUri: `${settings.publicUrl}/auth/logged-out`,
              allowInsecure: !config.oidc.issuer,
            });
            return relyingParty;
          },
        };
        return deps;
      })
      .inSingletonScope();
  },
  async init(container) {
    await createSessionTables(container.get(TOKENS.readDb));
    // Demo machine clients (the embedded vendor simulator's) are issued in-process, never in production.
    const config = container.get(TOKENS.config);
    if (config.nodeEnv !== 'production' && config.demoData) container.get(TOKENS.demoMachineClients).provide(demoMachineClientIssuer(container.get(IDENTITY.deps)));
  },
  api(container) {
    const deps = container.get(IDENTITY.deps);
    return [meRoute(deps), linkAccountRoute(deps), ...manageAccountsRoutes(deps), ...manageClientsRoutes(deps)];
  },
  web(container, router, registry) {
    const deps = container.get(IDENTITY.deps);
    const devIdp = container.get(IDENTITY.devIdp);
    router.use(DEV_IDP_PATH, (req, res, next) => (devIdp.current ? devIdp.current.handler(req, res) : next()));
    const authRouter = Router();
    registry.mount(authRouter, '/auth', loginRoutes(deps));
    router.use('/auth', authRouter);
  },
  authenticator: (container) => authenticate(container.get(IDENTITY.deps)),
  projections: () => [accountsProjection],
  async demo(container) {
    await seedDemoAccounts(container.get(IDENTITY.deps));
  },
  async started(container, { publicUrl }) {
    const config = container.get(TOKENS.config);
    const deps = container.get(IDENTITY.deps);
    if (!config.publicUrl) deps.settings.publicUrl = publicUrl;
    if (config.oidc.issuer) return;
    const base = deps.settings.publicUrl;
    container.get(IDENTITY.devIdp).current = await createDevIdentityProvider({
      issuer: `${base}${DEV_IDP_PATH}`,
      clients: [
        {
          clientId: config.oidc.clientId,
          clientSecret: deps.oidcClientSecret,
          redirectUris: [`${base}/auth/callback`],
          postLogoutRedirectUris: [`${base}/auth/logged-out`],
        },
      ],
      identities: DEMO_IDENTITIES,
    });
  },
  async stopped(container) {
    const devIdp = container.get(IDENTITY.devIdp);
    await devIdp.current?.close();
    devIdp.current = null;
  },
};

/** The account command handler; every command drops the account's state cached for authentication. */
function accountHandler(eventStore: EventStore, newId: () => string) {
  const accounts = new CommandHandler(eventStore, accountDecider, newId);
  const handle = accounts.handle.bind(accounts);
  accounts.handle = async (streamName, command, ctx) => {
    try {
      return await handle(streamName, command, ctx);
    } finally {
      forgetRecentAccount(accounts, streamName);
    }
  };
  return accounts;
}
