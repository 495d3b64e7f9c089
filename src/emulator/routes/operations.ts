// The long-running operations' status routes the SDK's pollers call (OperationStatus_Get, OperationResult_Get).
import type { RoutePlugin } from '../context';
import { AzureError, notFound } from '../errors';
import { PROVIDER } from '../ids';

export const operationRoutes: RoutePlugin = async (app, { ctx }) => {
  const opRoute = `/subscriptions/:subscriptionId/providers/${PROVIDER}/locations/:location`;

  app.get<{ Params: { id: string } }>(
    `${opRoute}/mfeOperationsStatus/:id`,
    { config: { operation: 'OperationStatus_Get' } },
    async (req) => {
      const op = ctx.ops.get(req.params.id);
      if (!op) throw notFound('operation', req.params.id);
      return op;
    },
  );

  // Location-style polling: 202 while running, 200 when done (the SDK then reads the result, if any).
  app.get<{ Params: { id: string } }>(
    `${opRoute}/mfeOperationResults/:id`,
    { config: { operation: 'OperationResult_Get' } },
    async (req, reply) => {
      const op = ctx.ops.get(req.params.id);
      if (!op) throw notFound('operation', req.params.id);
      if (op.status === 'InProgress') return reply.code(202).header('Location', `${ctx.baseUrl()}${req.url}`).send();
      if (op.status === 'Failed') {
        throw new AzureError(400, op.error?.code ?? 'OperationFailed', op.error?.message ?? 'The operation failed.');
      }
      return reply.code(200).send();
    },
  );
};
