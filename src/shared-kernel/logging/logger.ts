import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/** The correlation id of the request or job being served, for logs and event metadata. */
export const correlationContext = new AsyncLocalStorage<{ readonly correlationId: string }>();

export const currentCorrelationId = (): string | undefined => correlationContext.getStore()?.correlationId;

/**
 * Paths never written to logs: credentials, and any patient datum that might slip into a payload.
 * The platform stores no patient name, phone or street address; the logger enforces it too.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.token',
  '*.accessToken',
  '*.idToken',
  '*.patientName',
  '*.patientPhone',
  '*.patientAddress',
  '*.streetname',
  '*.streetnumber',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'sas-platform' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    options.destination,
  );
}
