/**
 * Platform configuration, read once from environment variables and validated at start-up.
 * Every variable has an embedded default so that `npm start` runs with nothing set; a bad value stops the
 * platform with a message naming each offending variable (never a half-started process).
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const ROLES = ['all', 'api', 'worker'] as const;
export const SEARCH_ENGINES = ['sql', 'meilisearch'] as const;
/** The LRM test authorities of the real platform's acceptance environment. */
export const DEFAULT_LRM_ORIGINS = ['samu-lrm-test1-authority', 'TEST-SAMU000'] as const;

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly eventstoreUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly role: (typeof ROLES)[number];
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly projectionLagReadyThreshold: number;
  readonly demoData: boolean;
  /** Synthetic directory and agendas the demo data set adds: one département's worth, or none. */
  readonly demoDirectory: { readonly scale: 'department' | 'none'; readonly departement: string };
  /** URL browsers reach the platform at; unset: http://localhost:PORT (the port actually bound). */
  readonly publicUrl: string | undefined;
  readonly oidc: {
    /** Pro Santé Connect issuer; unset: the embedded development provider at PUBLIC_URL/dev-idp. */
    readonly issuer: string | undefined;
    readonly clientId: string;
    readonly clientSecret: string | undefined;
  };
  readonly session: {
    readonly idleMinutes: number;
    readonly absoluteHours: number;
    /** The session cookie's SameSite: `none` lets an LRM page of another site (EMBED_ORIGINS) read with the session. */
    readonly cookieSameSite: 'lax' | 'none';
  };
  /** HTTPS with optional client certificates (mTLS for vendors and LRMs); unset: plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile: string | undefined; readonly clientCertOu: string | undefined } | undefined;
  /** The regulators' search: the SQL read model (default) or Meilisearch (then `meilisearch` is set). */
  readonly search: {
    readonly engine: (typeof SEARCH_ENGINES)[number];
    readonly meilisearch: { readonly url: string; readonly apiKey: string | undefined; readonly indexPrefix: string } | undefined;
  };
  /** LRM authorities (`affectation_authority`) whose contextual search (GET /sas/recherche?origin=…) is active. */
  readonly lrmOrigins: readonly string[];
  /** Web origins of the pages allowed to embed <sas-search> (CORS with credentials on the API's reads). */
  readonly embedOrigins: readonly string[];
  /** Base Adresse Nationale search API for street-level LRM addresses; unset: commune centres only. */
  readonly banUrl: string | undefined;
  /**
   * JSON file of the booking vendors whose slots are aggregated (validated by the availability module at start-up);
   * unset: none, or with the demo directory an embedded vendor simulator on loopback.
   */
  readonly vendorsFile: string | undefined;
}

export class ConfigError extends Error {
  readonly problems: readonly { variable: string; message: string }[];
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n') +
        '\nSee the configuration table in README.md.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

interface VariableSpec {
  readonly name: string;
  readonly description: string;
  readonly default: string;
  readonly example: string;
  readonly secret?: boolean;
}

/** One row per variable: the README's configuration table is generated from (and tested against) this list. */
export const VARIABLES: readonly VariableSpec[] = [
  { name: 'PORT', description: 'HTTP port (0 = any free port)', default: '3000', example: '8080' },
  { name: 'HOST', description: 'Interface the HTTP server listens on', default: '0.0.0.0', example: '127.0.0.1' },
  { name: 'DATA_DIR', description: 'Directory of the embedded database (PGlite) when DATABASE_URL is unset', default: './data', example: '/var/lib/sas' },
  { name: 'DATABASE_URL', description: 'PostgreSQL for the read models and, without EVENTSTORE_URL, the event store', default: '(embedded PGlite)', example: 'postgres://sas:secret@db:5432/sas', secret: true },
  { name: 'EVENTSTORE_URL', description: 'EventStoreDB/KurrentDB for the event store', default: '(the SQL database)', example: 'esdb://localhost:2113?tls=false', secret: true },
  { name: 'REDIS_URL', description: 'Redis for the BullMQ job queues', default: '(in-process jobs)', example: 'redis://localhost:6379', secret: true },
  { name: 'LOG_LEVEL', description: `Log level: ${LOG_LEVELS.join(', ')}`, default: 'info', example: 'debug' },
  { name: 'NODE_ENV', description: 'development, production or test', default: 'development', example: 'production' },
  { name: 'ROLE', description: 'all = HTTP + workers; api = HTTP only; worker = projections and jobs only', default: 'all', example: 'worker' },
  { name: 'BODY_LIMIT', description: 'Largest accepted request body (b, kb, mb)', default: '1mb', example: '5mb' },
  { name: 'SHUTDOWN_TIMEOUT_MS', description: 'Grace period for in-flight requests and jobs on SIGTERM', default: '10000', example: '30000' },
  { name: 'PROJECTION_LAG_READY_THRESHOLD', description: 'Events a projection may lag behind before /readyz fails', default: '1000', example: '100' },
  { name: 'PUBLIC_URL', description: 'URL browsers reach the platform at (OIDC redirects, cookies)', default: '(http://localhost:PORT)', example: 'https://sas.example.fr' },
  { name: 'OIDC_ISSUER', description: 'Pro Santé Connect issuer; unset = the embedded demo provider at /dev-idp (refused in production)', default: '(embedded demo provider)', example: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet' },
  { name: 'OIDC_CLIENT_ID', description: 'Client id of the platform at the OpenID provider', default: 'sas-platform', example: 'sas-prod' },
  { name: 'OIDC_CLIENT_SECRET', description: 'Client secret at the OpenID provider (required with OIDC_ISSUER)', default: '(random, demo provider)', example: 's3cr3t', secret: true },
  { name: 'SESSION_IDLE_MINUTES', description: 'A session unused this long ends', default: '30', example: '15' },
  { name: 'SESSION_ABSOLUTE_HOURS', description: 'A session ends this long after login, used or not', default: '12', example: '10' },
  {
    name: 'SESSION_COOKIE_SAMESITE',
    description: 'SameSite of the session cookie: lax, or none when an LRM page of another site embeds <sas-search> (EMBED_ORIGINS; needs HTTPS)',
    default: 'lax',
    example: 'none',
  },
  { name: 'TLS_CERT_FILE', description: 'Server certificate (PEM): serve HTTPS', default: '(plain HTTP)', example: '/etc/sas/tls/server.crt' },
  { name: 'TLS_KEY_FILE', description: 'Server private key (PEM), with TLS_CERT_FILE', default: '(none)', example: '/etc/sas/tls/server.key', secret: true },
  { name: 'TLS_CLIENT_CA_FILE', description: 'CA (PEM) whose client certificates authenticate vendors and LRMs (mTLS; CN = client id)', default: '(no mTLS)', example: '/etc/sas/tls/clients-ca.crt' },
  { name: 'CLIENT_CERT_OU', description: 'Organisational unit a client certificate must carry', default: '(any)', example: 'SAS-EDITEURS' },
  { name: 'DEMO_DATA', description: 'Load the demo data set at start-up (true/false)', default: 'true', example: 'false' },
  { name: 'SEARCH_ENGINE', description: `Search engine of the regulators' search: ${SEARCH_ENGINES.join(' or ')} (needs MEILISEARCH_URL)`, default: 'sql', example: 'meilisearch' },
  { name: 'MEILISEARCH_URL', description: 'Meilisearch server (1.18 or later) with SEARCH_ENGINE=meilisearch', default: '(none)', example: 'http://localhost:7700' },
  { name: 'MEILISEARCH_API_KEY', description: 'Meilisearch API key (required in production with SEARCH_ENGINE=meilisearch); never logged', default: '(none)', example: 'a-32-char-admin-key', secret: true },
  { name: 'MEILISEARCH_INDEX', description: 'Prefix of the Meilisearch index names (PREFIX_places, PREFIX_practitioners)', default: 'sas', example: 'sas_prod' },
  { name: 'DEMO_DIRECTORY', description: 'With DEMO_DATA: also generate a synthetic directory with 72 h of slots for one département (department) or not (none)', default: 'department', example: 'none' },
  { name: 'DEMO_DEPARTEMENT', description: 'Département of the synthetic demo directory', default: '31', example: '69' },
  {
    name: 'LRM_ORIGINS',
    description: 'LRM authorities (comma-separated `origin` values) whose contextual search /sas/recherche is active; none = no LRM',
    default: DEFAULT_LRM_ORIGINS.join(','),
    example: 'samu-lrm-test1-authority,fr.health.samu690',
  },
  {
    name: 'EMBED_ORIGINS',
    description: 'Web origins (comma-separated) of the LRM pages that embed <sas-search> with one script tag (/assets/sas-search.js): the API answers their reads with credentials',
    default: '(none)',
    example: 'https://lrm.samu31.example.fr,https://regulation.example.org:8443',
  },
  {
    name: 'BAN_URL',
    description: 'Base Adresse Nationale search API: street-level position of an LRM patient address (sent there, never stored nor logged)',
    default: '(commune centres only)',
    example: 'https://api-adresse.data.gouv.fr',
  },
  {
    name: 'VENDORS_FILE',
    description: 'JSON file of the booking vendors whose FHIR slots are aggregated (id, FHIR base URL, mTLS files, batches, polling, staleness; see docs/vendors.md)',
    default: '(none; with the demo directory: an embedded vendor simulator)',
    example: '/etc/sas/vendors.json',
  },
];

const KNOWN = new Set(VARIABLES.map((v) => v.name));

const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `not a URL (expected e.g. ${protocols[0]}//host:port)` });
        return z.NEVER;
      }
      if (!protocols.includes(url.protocol)) {
        ctx.addIssue({ code: 'custom', message: `protocol ${url.protocol} not supported (expected ${protocols.join(' or ')})` });
        return z.NEVER;
      }
      return value;
    });

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (!/^\d+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a whole number` });
        return z.NEVER;
      }
      const n = Number(value);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${n} is outside ${min}..${max}` });
        return z.NEVER;
      }
      return n;
    });

const choice = <T extends string>(values: readonly T[], fallback: T) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const lower = value.toLowerCase() as T;
      if (!values.includes(lower)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not one of ${values.join(', ')}` });
        return z.NEVER;
      }
      return lower;
    });

const bytes = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return 1024 * 1024;
    const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value);
    const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match?.[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
    const n = match ? Number(match[1]) * unit : NaN;
    if (!Number.isSafeInteger(n) || n < 1024 || n > 100 * 1024 * 1024) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a size between 1kb and 100mb (e.g. 512kb, 2mb)` });
      return z.NEVER;
    }
    return n;
  });

const readableFile = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const path = resolve(value);
    try {
      accessSync(path, constants.R_OK);
    } catch {
      ctx.addIssue({ code: 'custom', message: `cannot read file ${path}` });
      return z.NEVER;
    }
    return path;
  });

/** A comma-separated list of LRM authorities; empty: the default list; `none`: no LRM at all. */
const lrmOrigins = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const trimmed = value?.trim() ?? '';
    if (trimmed === '') return [...DEFAULT_LRM_ORIGINS];
    if (trimmed.toLowerCase() === 'none') return [];
    const origins = [...new Set(trimmed.split(',').map((o) => o.trim()).filter((o) => o !== ''))];
    const bad = origins.filter((o) => !/^[A-Za-z0-9._:@/-]{1,100}$/.test(o));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `"${bad[0]}" is not an LRM authority (1 to 100 of A-Z a-z 0-9 . _ : @ / -)` });
      return z.NEVER;
    }
    return origins;
  });

/** A comma-separated list of web origins (scheme://host[:port], nothing after); empty: none. */
const embedOrigins = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const origins = [...new Set((value ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''))];
    for (const origin of origins) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = null;
      }
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not a web origin (scheme://host[:port], without path nor trailing slash)` });
        return z.NEVER;
      }
    }
    return origins;
  });

const schema = z.object({
  NODE_ENV: choice(['development', 'production', 'test'] as const, 'development'),
  PORT: integer(3000, 0, 65535),
  HOST: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : '0.0.0.0')),
  DATA_DIR: z
    .string()
    .trim()
    .optional()
    .transform((v) => resolve(v ? v : './data')),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  EVENTSTORE_URL: optionalUrl(['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  LOG_LEVEL: choice(LOG_LEVELS, 'info'),
  ROLE: choice(ROLES, 'all'),
  BODY_LIMIT: bytes,
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 600_000),
  PROJECTION_LAG_READY_THRESHOLD: integer(1000, 0, Number.MAX_SAFE_INTEGER),
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  OIDC_ISSUER: optionalUrl(['https:', 'http:']),
  OIDC_CLIENT_ID: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : 'sas-platform')),
  OIDC_CLIENT_SECRET: z.string().optional(),
  SESSION_IDLE_MINUTES: integer(30, 1, 24 * 60),
  SESSION_ABSOLUTE_HOURS: integer(12, 1, 7 * 24),
  SESSION_COOKIE_SAMESITE: choice(['lax', 'none'] as const, 'lax'),
  TLS_CERT_FILE: readableFile,
  TLS_KEY_FILE: readableFile,
  TLS_CLIENT_CA_FILE: readableFile,
  CLIENT_CERT_OU: z.string().trim().max(64).optional(),
  DEMO_DATA: choice(['true', 'false', '1', '0', 'yes', 'no'] as const, 'true'),
  SEARCH_ENGINE: choice(SEARCH_ENGINES, 'sql'),
  MEILISEARCH_URL: optionalUrl(['http:', 'https:']),
  MEILISEARCH_API_KEY: z.string().optional(),
  MEILISEARCH_INDEX: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return 'sas';
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not an index prefix (1 to 100 of A-Z a-z 0-9 _ -)` });
        return z.NEVER;
      }
      return value;
    }),
  DEMO_DIRECTORY: choice(['department', 'none'] as const, 'department'),
  DEMO_DEPARTEMENT: z
    .string()
    .trim()
    .regex(/^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/, 'expected a département code (01…95, 2A, 2B, 971…976)')
    .default('31'),
  LRM_ORIGINS: lrmOrigins,
  EMBED_ORIGINS: embedOrigins,
  BAN_URL: optionalUrl(['https:', 'http:']),
  VENDORS_FILE: readableFile,
});

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const picked = Object.fromEntries([...KNOWN].map((name) => [name, env[name]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message }));
    throw new ConfigError(problems);
  }
  const v = parsed.data;
  if (v.ROLE !== 'all' && !v.DATABASE_URL) {
    throw new ConfigError([
      { variable: 'ROLE', message: `ROLE=${v.ROLE} splits the platform over processes: they need a shared DATABASE_URL (the embedded database belongs to one process)` },
    ]);
  }
  const problems: { variable: string; message: string }[] = [];
  if (v.NODE_ENV === 'production' && !v.OIDC_ISSUER) problems.push({ variable: 'OIDC_ISSUER', message: 'required in production: the embedded demo provider lets anyone in' });
  if (v.OIDC_ISSUER && !v.OIDC_CLIENT_SECRET) problems.push({ variable: 'OIDC_CLIENT_SECRET', message: 'required with OIDC_ISSUER' });
  if (v.OIDC_ISSUER?.startsWith('http:') && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(v.OIDC_ISSUER)) {
    problems.push({ variable: 'OIDC_ISSUER', message: 'must be https (plain http only on loopback)' });
  }
  if (Boolean(v.TLS_CERT_FILE) !== Boolean(v.TLS_KEY_FILE)) problems.push({ variable: v.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', message: 'TLS_CERT_FILE and TLS_KEY_FILE go together' });
  if (v.TLS_CLIENT_CA_FILE && !v.TLS_CERT_FILE) problems.push({ variable: 'TLS_CLIENT_CA_FILE', message: 'client certificates need HTTPS: set TLS_CERT_FILE and TLS_KEY_FILE' });
  if (v.SEARCH_ENGINE === 'meilisearch' && !v.MEILISEARCH_URL) problems.push({ variable: 'MEILISEARCH_URL', message: 'required with SEARCH_ENGINE=meilisearch' });
  if (v.SEARCH_ENGINE === 'meilisearch' && v.NODE_ENV === 'production' && !v.MEILISEARCH_API_KEY) {
    problems.push({ variable: 'MEILISEARCH_API_KEY', message: 'required in production with SEARCH_ENGINE=meilisearch (a Meilisearch server in production has a master key)' });
  }
  if (v.SESSION_COOKIE_SAMESITE === 'none' && v.NODE_ENV !== 'production' && !v.PUBLIC_URL?.startsWith('https:')) {
    problems.push({ variable: 'SESSION_COOKIE_SAMESITE', message: 'none needs a Secure cookie: serve over HTTPS (PUBLIC_URL https://…, or NODE_ENV=production)' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    dataDir: v.DATA_DIR,
    databaseUrl: v.DATABASE_URL,
    eventstoreUrl: v.EVENTSTORE_URL,
    redisUrl: v.REDIS_URL,
    logLevel: v.LOG_LEVEL,
    role: v.ROLE,
    bodyLimitBytes: v.BODY_LIMIT,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    projectionLagReadyThreshold: v.PROJECTION_LAG_READY_THRESHOLD,
    demoData: ['true', '1', 'yes'].includes(v.DEMO_DATA),
    demoDirectory: { scale: v.DEMO_DIRECTORY, departement: v.DEMO_DEPARTEMENT },
    publicUrl: v.PUBLIC_URL?.replace(/\/$/, ''),
    oidc: { issuer: v.OIDC_ISSUER?.replace(/\/$/, ''), clientId: v.OIDC_CLIENT_ID, clientSecret: v.OIDC_CLIENT_SECRET || undefined },
    session: { idleMinutes: v.SESSION_IDLE_MINUTES, absoluteHours: v.SESSION_ABSOLUTE_HOURS, cookieSameSite: v.SESSION_COOKIE_SAMESITE },
    tls: v.TLS_CERT_FILE && v.TLS_KEY_FILE ? { certFile: v.TLS_CERT_FILE, keyFile: v.TLS_KEY_FILE, clientCaFile: v.TLS_CLIENT_CA_FILE, clientCertOu: v.CLIENT_CERT_OU || undefined } : undefined,
    search: {
      engine: v.SEARCH_ENGINE,
      meilisearch:
        v.SEARCH_ENGINE === 'meilisearch' && v.MEILISEARCH_URL
          ? { url: v.MEILISEARCH_URL.replace(/\/+$/, ''), apiKey: v.MEILISEARCH_API_KEY || undefined, indexPrefix: v.MEILISEARCH_INDEX }
          : undefined,
    },
    lrmOrigins: v.LRM_ORIGINS,
    embedOrigins: v.EMBED_ORIGINS,
    banUrl: v.BAN_URL?.replace(/\/+$/, ''),
    vendorsFile: v.VENDORS_FILE,
  };
}

/** Hides the password of a connection URL, for logs and status output. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}

/** The effective configuration with secrets hidden, for the start-up log. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: redactUrl(config.databaseUrl),
    eventstoreUrl: redactUrl(config.eventstoreUrl),
    redisUrl: redactUrl(config.redisUrl),
    oidc: { ...config.oidc, clientSecret: config.oidc.clientSecret ? '***' : undefined },
    search: {
      ...config.search,
      meilisearch: config.search.meilisearch && {
        ...config.search.meilisearch,
        url: redactUrl(config.search.meilisearch.url),
        apiKey: config.search.meilisearch.apiKey ? '***' : undefined,
      },
    },
  };
}
