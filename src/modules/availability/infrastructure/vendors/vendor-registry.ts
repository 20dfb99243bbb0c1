/**
 * The booking vendors whose slots the platform aggregates (issue #5 part 4), read once at start-up from the JSON file
 * named by `VENDORS_FILE` and validated with zod: a bad file stops the platform with a message naming each bad field.
 *
 * Who is asked about whom (ADR 0006):
 * - `practitioners: "directory"` (the default): every RPPS the directory knows (its public PractitionerRegistered /
 *   PractitionerDeparted events), in batches of `batchSize` (≤ 25), as the real platform asks every interfaced
 *   vendor about every practitioner; a vendor answers `total: 0` for those it does not serve.
 * - `practitioners: ["10000000009", …]`: exactly these RPPS (a vendor that publishes the list of its customers).
 * - `cpts: true` also runs the guide's CPTS variant (INT_R04) over the same practitioner batches: the guide's CPTS
 *   request names practitioners, not CPTS; the CPTS (FINESS) only appears in the answer (HealthcareService →
 *   Organization). Its slots join the individual search's (same FHIR ids, same platform ids).
 * - `sosMedecins: ["<SIRET>", …]`: the SOS Médecins associations the vendor serves, asked with the guide's
 *   Schedule search. The directory has no SIRET of SOS associations yet, hence a configured list.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../../../shared-kernel/config/config.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { isSiret } from '../../../../shared-kernel/ids/siret.id.ts';

/** The guide's limit of identifiers per search. */
export const MAX_BATCH_SIZE = 25;

export const VENDOR_CAPABILITIES = ['aggregation', 'end-to-end'] as const;
export const STALE_BEHAVIOURS = ['hide', 'flag'] as const;

const readablePath = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    const path = resolve(value);
    try {
      readFileSync(path);
    } catch {
      ctx.addIssue({ code: 'custom', message: `fichier illisible : ${path}` });
      return z.NEVER;
    }
    return path;
  });

export const vendorSchema = z.strictObject({
  /** The vendor's machine-client id (identity module, kind 'vendor'): part of every vendor slot id. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'attendu : minuscules, chiffres et tirets (3 à 63 caractères), comme un identifiant de client'),
  name: z.string().trim().min(1).max(200),
  fhirBaseUrl: z.url({ protocol: /^https?$/, message: 'attendu : une URL http(s) (base FHIR de l’éditeur)' }),
  capability: z.enum(VENDOR_CAPABILITIES),
  /**
   * The `origin` value appended to the vendor's booking URL (Slot.comment) on the end-to-end redirect: `sas`, or
   * `sas-{environment}` as the real platform sends (`sas-production`, `sas-integration`; the guide's kit `sas-preprod`).
   */
  bookingOrigin: z.string().regex(/^sas(-[a-z0-9]+)*$/, 'attendu : « sas » ou « sas-{environnement} » (minuscules, chiffres, tirets)').default('sas'),
  /** mTLS client certificate, key and CA (PEM files); required for https in production. */
  tls: z.strictObject({ certFile: readablePath, keyFile: readablePath, caFile: readablePath.optional() }).optional(),
  practitioners: z.union([z.literal('directory'), z.array(z.string().refine(isRpps, 'RPPS invalide (11 chiffres, clé de Luhn)')).max(500_000)]).default('directory'),
  cpts: z.boolean().default(false),
  sosMedecins: z.array(z.string().refine(isSiret, 'SIRET invalide (14 chiffres, clé de Luhn)')).max(10_000).default([]),
  batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(MAX_BATCH_SIZE),
  /** Per request (the guide: answers after 7 s are dropped). */
  timeoutMs: z.number().int().min(100).max(60_000).default(7_000),
  /** Retries of a failed request within one poll, with exponential back-off from `retryDelayMs`. */
  retries: z.number().int().min(0).max(10).default(2),
  retryDelayMs: z.number().int().min(0).max(60_000).default(500),
  pollingPeriodMs: z.number().int().min(1_000).max(24 * 3_600_000).default(60_000),
  /** A batch that has not been refreshed successfully for this long has its slots marked stale. */
  staleTtlMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000).default(5 * 60_000),
  staleBehaviour: z.enum(STALE_BEHAVIOURS).default('hide'),
  /** Consecutive failed polls that open the vendor's circuit; how long it stays open before one trial poll. */
  circuitFailureThreshold: z.number().int().min(1).max(1_000).default(5),
  circuitOpenMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** Largest answer accepted (bytes of one page); a larger one is rejected whole. */
  maxBundleBytes: z.number().int().min(1_024).max(200 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Pages followed (`next` links) per search before the answer is rejected. */
  maxPages: z.number().int().min(1).max(1_000).default(50),
});

export type VendorConfig = z.infer<typeof vendorSchema>;
export type VendorConfigInput = z.input<typeof vendorSchema>;

export const vendorsFileSchema = z
  .strictObject({ vendors: z.array(vendorSchema).max(200) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of file.vendors.entries()) {
      if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: ['vendors', i, 'id'], message: `identifiant « ${v.id} » en double` });
      seen.add(v.id);
    }
  });

/** Parses a vendors document; throws a ConfigError naming `VENDORS_FILE` and every bad field. */
export function parseVendors(input: unknown, options: { production?: boolean; source?: string } = {}): VendorConfig[] {
  const parsed = vendorsFileSchema.safeParse(input);
  const variable = options.source ?? 'VENDORS_FILE';
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable, message: `${issue.path.join('.') || '(document)'}: ${issue.message}` })));
  }
  const problems: { variable: string; message: string }[] = [];
  if (options.production) {
    for (const [i, v] of parsed.data.vendors.entries()) {
      if (!v.fhirBaseUrl.startsWith('https:')) problems.push({ variable, message: `vendors.${i}.fhirBaseUrl: https (mTLS) obligatoire en production` });
      if (!v.tls) problems.push({ variable, message: `vendors.${i}.tls: certificat client (mTLS) obligatoire en production` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data.vendors.map((v) => ({ ...v, fhirBaseUrl: v.fhirBaseUrl.replace(/\/+$/, '') }));
}

/** Reads and validates `VENDORS_FILE`. */
export function loadVendorsFile(path: string, options: { production?: boolean } = {}): VendorConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ variable: 'VENDORS_FILE', message: `${path} n’est pas un document JSON lisible (${error instanceof Error ? error.message : String(error)})` }]);
  }
  return parseVendors(json, options);
}

/** The vendors the platform aggregates, by id. */
export class VendorRegistry {
  readonly #vendors: Map<string, VendorConfig>;
  constructor(vendors: readonly VendorConfig[]) {
    this.#vendors = new Map(vendors.map((v) => [v.id, v]));
  }
  all(): VendorConfig[] {
    return [...this.#vendors.values()];
  }
  get(id: string): VendorConfig | undefined {
    return this.#vendors.get(id);
  }
  /** Adds a vendor after start-up (the embedded simulator, once it listens). */
  add(vendor: VendorConfig): void {
    this.#vendors.set(vendor.id, vendor);
  }
}
