// POST /hooks/github/:project — GitHub push deliveries, signed with X-Hub-Signature-256, become retrain triggers.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith } from './body';
import { reasonText, triggerRetrain, type HookContext } from './context';
import { badRequest, notFound, unauthorized } from './errors';
import { resolveProject } from './project';
import { checkGithubSignature, signatureHeaderProblem } from './secrets';

export interface GithubHookOptions {
  ctx: HookContext;
  /** The webhook secret set in GitHub; without one the route answers 404 (an unsigned hook is never accepted). */
  secret?: string;
  /** Branch names whose pushes trigger (e.g. ["main"]); absent or empty = every branch. */
  branches?: string[];
}

// GitHub sends far more; these are the fields a retrain needs, checked loosely so new GitHub fields never break us.
const pushEvent = z.object({
  ref: z.string().min(1),
  after: z.string().min(1),
  deleted: z.boolean().optional(),
  pusher: z.object({ name: z.string() }).optional(),
  sender: z.object({ login: z.string() }).optional(),
});

const ZERO_SHA = /^0+$/;
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export const githubHooks: FastifyPluginAsync<GithubHookOptions> = async (app, { ctx, secret, branches }) => {
  const wanted = branches?.length ? new Set(branches.map((b) => `refs/heads/${b}`)) : undefined;

  app.post<{ Params: { project: string } }>(
    '/:project',
    {
      // Refuse unsigned or unlabelled deliveries before reading their bodies.
      onRequest: async (request) => {
        if (!secret) throw notFound('GitHub webhooks are off on this server; set AMLOPS_GITHUB_SECRET to turn them on');
        const problem = signatureHeaderProblem(header(request, 'x-hub-signature-256'));
        if (problem) throw unauthorized(problem);
        if (!header(request, 'x-github-event'))
          throw badRequest('the X-GitHub-Event header is missing; is this a GitHub webhook delivery?');
        const delivery = header(request, 'x-github-delivery');
        if (!delivery || !DELIVERY_ID.test(delivery)) {
          throw badRequest(
            'the X-GitHub-Delivery header is missing or malformed; it is the id that makes redeliveries safe',
          );
        }
      },
      preHandler: async (request) => {
        const check = checkGithubSignature(
          secret as string,
          request.rawBody ?? Buffer.alloc(0),
          header(request, 'x-hub-signature-256'),
        );
        if (!check.ok) throw unauthorized(check.why);
      },
    },
    async (request, reply) => {
      const project = resolveProject(ctx.projects, request.params.project);
      const event = header(request, 'x-github-event') as string;
      const delivery = header(request, 'x-github-delivery') as string;
      if (event === 'ping') {
        return reply.code(200).send({
          ok: true,
          message: `GitHub webhook for project ${project.project} is set up; pushes will trigger retraining`,
        });
      }
      if (event !== 'push') {
        return reply.code(202).send({
          accepted: false,
          ignored: `GitHub "${event}" events do not trigger retraining; subscribe the webhook to push events only`,
        });
      }
      const push = parseWith(pushEvent, request.body, 'GitHub push event');
      if (push.deleted || ZERO_SHA.test(push.after)) {
        return reply
          .code(202)
          .send({ accepted: false, ignored: `${push.ref} was deleted; there is nothing new to train on` });
      }
      if (wanted && !wanted.has(push.ref)) {
        return reply.code(202).send({
          accepted: false,
          ignored: `pushes to ${push.ref} do not trigger retraining (branches: ${[...wanted].join(', ')})`,
        });
      }
      const who = push.pusher?.name ?? push.sender?.login ?? 'unknown';
      const result = await triggerRetrain(ctx, project, {
        requestId: `github:${delivery}`,
        reason: reasonText(`push to ${push.ref} by ${who} (${push.after.slice(0, 7)})`),
        source: 'github',
      });
      request.log.info(
        { project: project.project, requestId: result.requestId, source: 'github' },
        'retrain triggered',
      );
      return reply.code(202).send(result);
    },
  );
};
