// The contract names workflow types by string, for callers that must not import workflow code: the names must hold.
import { PROJECT_WORKFLOW, SCHEDULED_RETRAIN_WORKFLOW, type ProjectWorkflow } from '../../../src/contract';
import { operationalize, scheduledRetrain } from '../../../src/workflows';

test('the workflow types the contract names are the workflows the worker registers', () => {
  const project: ProjectWorkflow = operationalize;
  expect(project.name).toBe(PROJECT_WORKFLOW);
  expect(scheduledRetrain.name).toBe(SCHEDULED_RETRAIN_WORKFLOW);
});
