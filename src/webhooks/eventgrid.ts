// POST/OPTIONS /hooks/eventgrid/:project — Azure Event Grid BlobCreated events (Event Grid or CloudEvents 1.0 schema)
// become retrain triggers.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith } from './body';
import { reasonText, triggerRetrain, type HookContext } from './context';
import { badRequest, notFound, unauthorized } from './errors';
import { resolveProject } from './project';
import { bearerToken, sameSecret } from './secrets';

export interface EventGridHookOptions {
  ctx: HookContext;
  /**
   * Shared secret the subscription presents as `?code=<secret>` in its endpoint URL
   * or `Authorization: Bearer <secret>`.
   */
  secret?: string;
  /** Only blobs created in this container, under this path prefix, trigger a retrain. */
  container?: string;
  // Not `prefix`: fastify's register() takes that option as the route prefix.
  blobPrefix?: string;
}

export const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';
export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

const gridEvent = z.object({
  id: z.string().min(1),
  eventType: z.string().min(1),
  subject: z.string(),
  data: z.unknown().optional(),
});
const cloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().min(1),
  subject: z.string().optional(),
  data: z.unknown().optional(),
});
const validationData = z.object({ validationCode: z.string().min(1) });
const blobData = z.object({ url: z.string().min(1).max(2000) });

/** One event, whichever schema it came in. */
interface StorageEvent {
  id: string;
  type: string;
  subject: string;
  data: unknown;
}

interface Ignored {
  id: string;
  type: string;
  reason: string;
}

const BLOB_SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

const isCloudEvent = (value: unknown): boolean => typeof value === 'object' && value !== null && 'specversion' in value;

function readEvents(body: unknown): StorageEvent[] {
  const list = Array.isArray(body) ? body : isCloudEvent(body) ? [body] : undefined;
  if (!list)
    throw badRequest('an Event Grid delivery is a JSON array of events (Event Grid schema) or a CloudEvent 1.0 object');
  if (list.length === 0) throw badRequest('the delivery holds no events');
  if (isCloudEvent(list[0])) {
    return parseWith(z.array(cloudEvent), list, 'CloudEvents batch').map((e) => ({
      id: e.id,
      type: e.type,
      subject: e.subject ?? '',
      data: e.data,
    }));
  }
  return parseWith(z.array(gridEvent), list, 'Event Grid events').map((e) => ({
    id: e.id,
    type: e.eventType,
    subject: e.subject,
    data: e.data,
  }));
}

function presentedSecret(request: FastifyRequest): string | undefined {
  const code = (request.query as Record<string, unknown> | undefined)?.code;
  if (typeof code === 'string') return code;
  const auth = request.headers.authorization;
  return bearerToken(typeof auth === 'string' ? auth : undefined);
}

export const eventGridHooks: FastifyPluginAsync<EventGridHookOptions> = async (
  app,
  { ctx, secret, container, blobPrefix: prefix = '' },
) => {
  if (secret && !container)
    throw new Error('Event Grid webhooks need a container to watch (eventGrid.container / AMLOPS_EVENTGRID_CONTAINER)');

  const authenticate = async (request: FastifyRequest) => {
    if (!secret)
      throw notFound('Event Grid webhooks are off on this server; set AMLOPS_EVENTGRID_SECRET to turn them on');
    if (!sameSecret(presentedSecret(request), secret)) {
      throw unauthorized("missing or wrong Event Grid secret; put ?code=<secret> in the subscription's endpoint URL");
    }
  };

  /** Why a BlobCreated event does not trigger, or undefined when it does. */
  function whyIgnored(event: StorageEvent): string | undefined {
    if (event.type !== BLOB_CREATED) return `${event.type} events do not trigger retraining; only ${BLOB_CREATED} does`;
    const match = BLOB_SUBJECT.exec(event.subject);
    if (!match) return `subject "${event.subject}" is not a blob path`;
    const [, blobContainer, path] = match as unknown as [string, string, string];
    if (blobContainer !== container) return `blob is in container "${blobContainer}", not "${container}"`;
    if (!path.startsWith(prefix)) return `blob "${path}" is not under prefix "${prefix}"`;
    return undefined;
  }

  // CloudEvents 1.0 webhook validation (abuse protection): echo the origin to allow deliveries from it.
  app.options<{ Params: { project: string } }>('/:project', { onRequest: authenticate }, async (request, reply) => {
    resolveProject(ctx.projects, request.params.project);
    const origin = request.headers['webhook-request-origin'];
    if (typeof origin !== 'string' || !origin) {
      throw badRequest(
        'the WebHook-Request-Origin header is missing; OPTIONS here is the CloudEvents webhook validation handshake',
      );
    }
    return reply.code(200).header('webhook-allowed-origin', origin).header('webhook-allowed-rate', '*').send();
  });

  app.post<{ Params: { project: string } }>('/:project', { onRequest: authenticate }, async (request, reply) => {
    const project = resolveProject(ctx.projects, request.params.project);
    const events = readEvents(request.body);

    const validation = events.find((e) => e.type === VALIDATION_EVENT);
    if (validation) {
      const { validationCode } = parseWith(validationData, validation.data, 'subscription validation event data');
      request.log.info(
        { project: project.project, event: 'eventgrid-validation' },
        'Event Grid subscription validated',
      );
      return reply.code(200).send({ validationResponse: validationCode });
    }

    const ignored: Ignored[] = [];
    const blobs = new Map<string, { url: string; path: string }>();
    for (const event of events) {
      const why = whyIgnored(event);
      if (why) {
        ignored.push({ id: event.id, type: event.type, reason: why });
        continue;
      }
      const { url } = parseWith(blobData, event.data, `data of BlobCreated event ${event.id}`);
      blobs.set(event.id, { url, path: (BLOB_SUBJECT.exec(event.subject) as RegExpExecArray)[2] as string });
    }
    if (blobs.size === 0) return reply.code(200).send({ accepted: false, ignored });

    // Each blob is its own trigger; the workflow coalesces them into one cycle and dedups redelivered ids.
    const results = await Promise.all(
      [...blobs].map(([id, blob]) =>
        triggerRetrain(ctx, project, {
          requestId: `eventgrid:${id}`,
          reason: reasonText(`new blob ${blob.path} in container ${container}`),
          source: 'eventgrid',
          datasetUri: blob.url,
        }),
      ),
    );
    const requestIds = results.map((r) => r.requestId);
    request.log.info(
      { project: project.project, requestIds, source: 'eventgrid', ignored: ignored.length },
      'retrain triggered',
    );
    return reply.code(202).send({ accepted: true, requestIds, workflowId: results[0]?.workflowId, ignored });
  });
};
