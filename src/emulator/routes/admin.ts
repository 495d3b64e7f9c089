// Admin routes for tests and operators: health, the request journal, and fault injection rules.
import { z } from 'zod';
import type { RoutePlugin } from '../context';
import { FaultRuleSchema, FaultRulesSchema } from '../faults';
import { parse } from '../http';

const JournalQuery = z.object({
  since: z.coerce.number().int().min(0).optional(),
  operation: z.string().optional(),
  method: z.string().optional(),
  pathContains: z.string().optional(),
});

export const adminRoutes: RoutePlugin = async (app, { ctx }) => {
  app.get('/_admin/health', { config: { auth: 'none' } }, async () => ({
    status: 'Healthy',
    workspace: ctx.ws.workspaceName,
  }));

  app.get('/_admin/journal', async (req) => {
    const q = parse(JournalQuery, req.query, 'query');
    return { lastSeq: ctx.journal.lastSeq, entries: ctx.journal.list(q) };
  });
  app.delete('/_admin/journal', async (_req, reply) => {
    ctx.journal.clear();
    return reply.code(204).send();
  });

  app.get('/_admin/faults', async () => ({ rules: ctx.faults.list() }));
  /** Replace all rules. */
  app.put('/_admin/faults', async (req) => {
    ctx.faults.set(parse(FaultRulesSchema, (req.body as { rules?: unknown } | undefined)?.rules ?? req.body));
    return { rules: ctx.faults.list() };
  });
  /** Add one rule. */
  app.post('/_admin/faults', async (req) => {
    ctx.faults.add(parse(FaultRuleSchema, req.body));
    return { rules: ctx.faults.list() };
  });
  app.delete('/_admin/faults', async (_req, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });
};
