// `amlops approve|reject N`: the decision goes to cycle N's own workflow, whose update validator has the last word.
import type { Client } from '@temporalio/client';
import {
  approvalUpdate,
  cycleStatusQuery,
  cycleWorkflowId,
  notWaitingForApproval,
  projectWorkflowId,
  statusQuery,
  type ApprovalDecision,
} from '../contract';
import { onProject, onWorkflow, UserError } from './connect';

export async function decideCycle(client: Client, project: string, decision: ApprovalDecision): Promise<void> {
  const own = await onProject(project, () => client.workflow.getHandle(projectWorkflowId(project)).query(statusQuery));
  const cycle = (n: number) => client.workflow.getHandle(cycleWorkflowId(project, n));
  if (own.state !== 'running' || own.cycle !== decision.cycle) {
    // Only the running cycle can be waiting: name it if it is.
    const running =
      own.state === 'running'
        ? await cycle(own.cycle)
            .query(cycleStatusQuery)
            .catch(() => undefined)
        : undefined;
    throw new UserError(
      notWaitingForApproval(project, decision.cycle, running?.awaitingApproval ? own.cycle : undefined),
    );
  }
  // A cycle that ended since the project answered is no longer waiting either.
  await onWorkflow(
    () => cycle(decision.cycle).executeUpdate(approvalUpdate, { args: [decision] }),
    notWaitingForApproval(project, decision.cycle),
  );
}
