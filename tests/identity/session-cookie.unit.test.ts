/** The cookies' attributes: the session's SameSite follows SESSION_COOKIE_SAMESITE; the login binding stays Lax. */
import { describe, expect, it } from 'vitest';
import { cookieOptions, sessionCookieOptions } from '../../src/modules/identity/application/authenticate.ts';
import type { IdentityDeps } from '../../src/modules/identity/application/identity.deps.ts';

const depsWith = (settings: Partial<IdentityDeps['settings']>) =>
  ({ settings: { secureCookies: false, sessionSameSite: 'lax', publicUrl: 'http://localhost:3000', clientCertOu: null, ...settings } }) as unknown as IdentityDeps;

describe('cookie attributes', () => {
  it('by default: HttpOnly, Lax, whole site, Secure only over HTTPS', () => {
    expect(sessionCookieOptions(depsWith({}))).toEqual({ httpOnly: true, secure: false, sameSite: 'lax', path: '/' });
    expect(sessionCookieOptions(depsWith({ secureCookies: true }), 60_000)).toEqual({ httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 60_000 });
  });

  it('SameSite=None for the session only, for an LRM page of another site embedding <sas-search>', () => {
    const deps = depsWith({ secureCookies: true, sessionSameSite: 'none' });
    expect(sessionCookieOptions(deps)).toMatchObject({ sameSite: 'none', secure: true, httpOnly: true });
    expect(cookieOptions(deps)).toMatchObject({ sameSite: 'lax' });
  });
});
