// POST /hooks/retrain/:project — any system holding the bearer token (CI jobs, scripts) triggers a retrain with a JSON
// body.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { retrainRequest } from '../contract';
import { parseWith } from './body';
import { triggerRetrain, type HookContext } from './context';
import { badRequest, notFound, unauthorized } from './errors';
import { resolveProject } from './project';
import { bearerToken, sameSecret } from './secrets';

export interface GenericHookOptions {
  ctx: HookContext;
  /** The token callers send as `Authorization: Bearer <token>`; without one the route answers 404. */
  token?: string;
}

/** The body: every field optional, unknown fields refused (the shared retrain schema, minus the source we set). */
const genericBody = retrainRequest.pick({ requestId: true, reason: true, datasetUri: true, overrides: true }).partial();

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

export const genericHooks: FastifyPluginAsync<GenericHookOptions> = async (app, { ctx, token }) => {
  app.post<{ Params: { project: string } }>(
    '/:project',
    {
      onRequest: async (request) => {
        if (!token)
          throw notFound('the generic retrain webhook is off on this server; set AMLOPS_WEBHOOK_TOKEN to turn it on');
        const auth = request.headers.authorization;
        if (!sameSecret(bearerToken(typeof auth === 'string' ? auth : undefined), token)) {
          throw unauthorized('missing or wrong token; send Authorization: Bearer <token>');
        }
      },
    },
    async (request, reply) => {
      const project = resolveProject(ctx.projects, request.params.project);
      // An empty POST is a plain "retrain now".
      const body = parseWith(genericBody, request.body ?? {}, 'retrain body');
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw badRequest('the Idempotency-Key header must be 1-200 letters, digits or . _ : -');
      }
      const result = await triggerRetrain(ctx, project, {
        requestId: body.requestId ?? key ?? `webhook:${randomUUID()}`,
        reason: body.reason ?? 'retrain requested by webhook',
        source: 'webhook',
        ...(body.datasetUri ? { datasetUri: body.datasetUri } : {}),
        ...(body.overrides ? { overrides: body.overrides } : {}),
      });
      request.log.info(
        { project: project.project, requestId: result.requestId, source: 'webhook' },
        'retrain triggered',
      );
      return reply.code(202).send(result);
    },
  );
};
