// Entry point of the webhook server: start one in-process, or run dist/src/webhooks/main.js configured by environment
// (see config.ts).
export {
  startWebhookServer,
  buildWebhookApp,
  DEFAULT_BODY_LIMIT,
  DEFAULT_PORT,
  DEFAULT_TEMPORAL_TIMEOUT_MS,
  type WebhookServer,
  type WebhookServerOptions,
  type WebhookSecrets,
} from './server';
export { webhookConfigFromEnv, WebhookConfigError, type WebhookConfig } from './config';
export { githubSignature } from './secrets';
export { WebhookError, type WebhookErrorCode } from './errors';
export type { WebhookClient } from './trigger';
export type { ProjectLookup } from './project';
export { BLOB_CREATED, VALIDATION_EVENT } from './eventgrid';
