// What every webhook route needs besides its own secret: the projects it may trigger and the way to trigger them.
import { retrainRequest, type ProjectInput, type RetrainRequest } from '../contract';
import { parseWith } from './body';
import type { ProjectLookup } from './project';
import type { TriggerRetrain } from './trigger';

export interface HookContext {
  projects: ProjectLookup;
  trigger: TriggerRetrain;
}

/** The reply to an event that became a retrain trigger. */
export interface Accepted {
  accepted: true;
  requestId: string;
  workflowId: string;
}

/**
 * Checks the request against the workflow's own schema (a signal cannot be refused, so bad ones must stop here),
 * then records it on the project's workflow.
 */
export async function triggerRetrain(
  ctx: HookContext,
  project: ProjectInput,
  request: RetrainRequest,
): Promise<Accepted> {
  const valid = parseWith(retrainRequest, request, 'retrain request');
  const { workflowId } = await ctx.trigger(project, valid);
  return { accepted: true, requestId: valid.requestId, workflowId };
}

/** Cuts free text (commit messages, blob paths) to what the workflow accepts as a reason. */
export function reasonText(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
