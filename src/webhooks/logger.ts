// The webhook server's pino logger: one line per request, never bodies, query strings or credentials.
import pino, { type DestinationStream, type Logger } from 'pino';

// Our code never logs headers, queries or bodies;
// redaction is the second line of defence if someone adds `req` to a line.
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers.cookie',
  'req.query',
  'req.body',
  'headers.authorization',
  'headers["x-hub-signature-256"]',
  'query',
  'body',
  'secret',
  'secrets',
  'token',
  '*.secret',
  '*.token',
];

export function createWebhookLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'amlops-webhooks' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Query strings carry Event Grid's ?code=<secret>: a request is logged by its path only.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          path: pathOf(req.url),
        }),
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The URL without its query string. */
export function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] as string;
}
