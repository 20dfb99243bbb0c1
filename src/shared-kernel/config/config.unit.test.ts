import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, redactUrl, VARIABLES } from './config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: resolve('./data'),
      databaseUrl: undefined,
      eventstoreUrl: undefined,
      redisUrl: undefined,
      logLevel: 'info',
      role: 'all',
      bodyLimitBytes: 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      demoData: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/sas',
      DATABASE_URL: 'postgres://sas:pw@localhost:5432/sas',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      REDIS_URL: 'redis://localhost:6379',
      LOG_LEVEL: 'DEBUG',
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet',
      OIDC_CLIENT_ID: 'sas-test',
      OIDC_CLIENT_SECRET: 'psc-secret',
      PUBLIC_URL: 'https://sas.example.fr/',
      SESSION_IDLE_MINUTES: '15',
      SESSION_ABSOLUTE_HOURS: '10',
      ROLE: 'api',
      BODY_LIMIT: '512kb',
      SHUTDOWN_TIMEOUT_MS: '2500',
      PROJECTION_LAG_READY_THRESHOLD: '10',
      DEMO_DATA: 'false',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/tmp/sas',
      logLevel: 'debug',
      nodeEnv: 'production',
      role: 'api',
      bodyLimitBytes: 512 * 1024,
      shutdownTimeoutMs: 2500,
      projectionLagReadyThreshold: 10,
      demoData: false,
      publicUrl: 'https://sas.example.fr',
      oidc: { issuer: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet', clientId: 'sas-test', clientSecret: 'psc-secret' },
      session: { idleMinutes: 15, absoluteHours: 10 },
      tls: undefined,
    });
  });

  it('reads the origins allowed to embed <sas-search>, and refuses anything but a bare web origin', () => {
    expect(loadConfig({}).embedOrigins).toEqual([]);
    expect(loadConfig({ EMBED_ORIGINS: ' https://lrm.example.fr, http://127.0.0.1:8080,https://lrm.example.fr ' }).embedOrigins).toEqual(['https://lrm.example.fr', 'http://127.0.0.1:8080']);
    for (const bad of ['lrm.example.fr', 'https://lrm.example.fr/', 'https://lrm.example.fr/page', 'ftp://lrm.example.fr', '*']) {
      expect(problemsOf({ EMBED_ORIGINS: bad }), bad).toEqual(['EMBED_ORIGINS']);
    }
  });

  it('lets the session cookie be SameSite=None only over HTTPS', () => {
    expect(loadConfig({}).session.cookieSameSite).toBe('lax');
    expect(problemsOf({ SESSION_COOKIE_SAMESITE: 'none' })).toEqual(['SESSION_COOKIE_SAMESITE']);
    expect(problemsOf({ SESSION_COOKIE_SAMESITE: 'strict' })).toEqual(['SESSION_COOKIE_SAMESITE']);
    expect(loadConfig({ SESSION_COOKIE_SAMESITE: 'None', PUBLIC_URL: 'https://sas.example.fr' }).session.cookieSameSite).toBe('none');
  });

  it('refuses the embedded demo provider in production, and a PSC issuer without secret or over plain http', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['OIDC_ISSUER']);
    expect(problemsOf({ OIDC_ISSUER: 'https://psc.example' })).toEqual(['OIDC_CLIENT_SECRET']);
    expect(problemsOf({ OIDC_ISSUER: 'http://psc.example', OIDC_CLIENT_SECRET: 'x' })).toEqual(['OIDC_ISSUER']);
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:9000/idp', OIDC_CLIENT_SECRET: 'x' }).oidc.issuer).toBe('http://127.0.0.1:9000/idp');
  });

  it('checks the TLS files exist and go together', () => {
    expect(problemsOf({ TLS_CERT_FILE: '/nonexistent/server.crt' })).toContain('TLS_CERT_FILE');
    expect(problemsOf({ TLS_CERT_FILE: 'package.json' })).toEqual(['TLS_KEY_FILE']);
    expect(problemsOf({ TLS_CLIENT_CA_FILE: 'package.json' })).toEqual(['TLS_CLIENT_CA_FILE']);
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'not a url',
        LOG_LEVEL: 'loud',
        BODY_LIMIT: '2gb',
        SHUTDOWN_TIMEOUT_MS: '-1',
      }).sort(),
    ).toEqual(['BODY_LIMIT', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_URL', 'SHUTDOWN_TIMEOUT_MS']);
  });

  it('explains the problem in the message', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: 70000 is outside 0..65535/);
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/ROLE: "boss" is not one of all, api, worker/);
  });

  it('refuses to split processes over the embedded database', () => {
    expect(problemsOf({ ROLE: 'worker' })).toEqual(['ROLE']);
    expect(loadConfig({ ROLE: 'worker', DATABASE_URL: 'postgres://localhost/sas' }).role).toBe('worker');
  });

  it('never shows a password', () => {
    expect(redactUrl('postgres://sas:secret@db/sas')).toBe('postgres://sas:***@db/sas');
    const described = JSON.stringify(
      describeConfig(loadConfig({ DATABASE_URL: 'postgres://sas:secret@db/sas', REDIS_URL: 'redis://:hunter2@r:6379', OIDC_ISSUER: 'https://psc.example', OIDC_CLIENT_SECRET: 'pscpass' })),
    );
    expect(described).not.toMatch(/secret@|hunter2|pscpass/);
  });

  it('documents every variable it reads', () => {
    const names = VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of VARIABLES) expect(v.description.length).toBeGreaterThan(5);
  });
});

describe('README configuration table', () => {
  it('lists every variable with its default', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const v of VARIABLES) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${v.name}\` |`));
      expect(row, `README row for ${v.name}`).toBeDefined();
      expect(row).toContain(v.default);
    }
  });
});
