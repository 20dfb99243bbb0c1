/**
 * GET of a vendor's FHIR search, as the guide's client does it (`Accept: application/json+fhir`), and PUT of a regulator
 * account (INT_R02), over HTTP or HTTPS
 * with a client certificate (mTLS), with a timeout per request, a cap on the answer's size (read as a stream and cut
 * off past the cap, never buffered whole) and retries with exponential back-off for transient failures (timeouts,
 * network errors, 5xx, 429). A 4xx other than 429 means our request is wrong: no retry.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type FetchFailureKind = 'timeout' | 'network' | 'http' | 'too-large';

export class VendorFetchError extends Error {
  readonly kind: FetchFailureKind;
  readonly status: number | null;
  /** The answer's body of an HTTP error (an OperationOutcome, for a PUT), cut to 2,000 characters; null otherwise. */
  readonly body: string | null;
  constructor(kind: FetchFailureKind, message: string, status: number | null = null, body: string | null = null) {
    super(message);
    this.name = 'VendorFetchError';
    this.kind = kind;
    this.status = status;
    this.body = body;
  }
  /** Worth trying again: the vendor may answer next time. */
  get transient(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || (this.kind === 'http' && (this.status === null || this.status >= 500 || this.status === 429));
  }
}

export interface FhirHttpOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string | undefined } | undefined;
  readonly signal?: AbortSignal;
}

export interface FhirHttpResult {
  readonly status: number;
  readonly body: string;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** One HTTP client per vendor: keeps its TLS material and connections. */
export class FhirHttpClient {
  readonly #httpsAgent: HttpsAgent | undefined;
  constructor(tls?: FhirHttpOptions['tls']) {
    this.#httpsAgent = tls
      ? new HttpsAgent({ keepAlive: true, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}), minVersion: 'TLSv1.2' })
      : undefined;
  }

  close(): void {
    this.#httpsAgent?.destroy();
  }

  /** GET with retries; throws the last VendorFetchError when every attempt failed. */
  async get(url: string, options: FhirHttpOptions): Promise<FhirHttpResult> {
    return this.#retrying(url, options, undefined);
  }

  /**
   * PUT of a FHIR resource (the guide's conditional update, INT_R02), with the same timeout, retries and back-off as
   * `get`: a conditional update is idempotent, so sending it again after a lost answer is harmless.
   */
  async put(url: string, resource: unknown, options: FhirHttpOptions): Promise<FhirHttpResult> {
    return this.#retrying(url, options, { method: 'PUT', body: JSON.stringify(resource) });
  }

  async #retrying(url: string, options: FhirHttpOptions, write: { method: 'PUT'; body: string } | undefined): Promise<FhirHttpResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#once(url, options, write);
        if (result.status >= 400) throw new VendorFetchError('http', `HTTP ${result.status}`, result.status, result.body.slice(0, 2_000));
        return { ...result, attempts: attempt };
      } catch (error) {
        const failure = error instanceof VendorFetchError ? error : new VendorFetchError('network', error instanceof Error ? error.message : String(error));
        if (!failure.transient || attempt > options.retries || options.signal?.aborted) throw failure;
        await sleep(options.retryDelayMs * 2 ** (attempt - 1), options.signal);
      }
    }
  }

  #once(url: string, options: FhirHttpOptions, write?: { method: 'PUT'; body: string }): Promise<{ status: number; body: string }> {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = (https ? httpsRequest : httpRequest)(
        target,
        {
          method: write?.method ?? 'GET',
          headers: {
            accept: 'application/json+fhir',
            'accept-charset': 'utf-8',
            ...(write ? { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': String(Buffer.byteLength(write.body)) } : {}),
          },
          ...(https && this.#httpsAgent ? { agent: this.#httpsAgent } : {}),
        },
        (res: IncomingMessage) => {
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > options.maxBytes) {
            res.destroy();
            return finish(() => reject(new VendorFetchError('too-large', `réponse de ${declared} octets, au-delà de ${options.maxBytes}`, res.statusCode ?? null)));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxBytes) {
              res.destroy();
              finish(() => reject(new VendorFetchError('too-large', `réponse de plus de ${options.maxBytes} octets`, res.statusCode ?? null)));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
          res.on('error', (error) => finish(() => reject(new VendorFetchError('network', error.message))));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish(() => reject(new VendorFetchError('timeout', `pas de réponse en ${options.timeoutMs} ms`)));
      }, options.timeoutMs);
      options.signal?.addEventListener('abort', () => (req.destroy(), finish(() => reject(new VendorFetchError('network', 'interrompu')))), { once: true });
      req.on('error', (error) => finish(() => reject(new VendorFetchError('network', error.message))));
      req.end(write?.body);
    });
  }
}
