// Connects a Temporal client, turning "nothing there" into a message that says what to do.
import { Client, Connection, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Config } from '../config';
import { projectWorkflowId } from '../contract';
import { temporalAddress } from '../runtime';

/** An error meant for the person at the terminal: printed as is, no stack. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function connectClient(config: Config): Promise<Client> {
  const address = temporalAddress(config);
  try {
    const connection = await Connection.connect({ address, connectTimeout: '5s' });
    return new Client({ connection, namespace: config.temporal.namespace });
  } catch (err) {
    throw new UserError(
      `Cannot reach the Temporal server at ${address} (${(err as Error).message.split('\n')[0]}). ` +
        (config.temporal.address
          ? 'Check TEMPORAL_ADDRESS.'
          : 'Start amlops with `npm start`, or set TEMPORAL_ADDRESS to a running server.'),
    );
  }
}

/** Runs a call against a workflow, explaining a missing workflow with `notFound` and a refused update in its words. */
export async function onWorkflow<T>(call: () => Promise<T>, notFound: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { name?: string }).name === 'WorkflowNotFoundError') {
      throw new UserError(notFound);
    }
    // A refused update (validator) carries the workflow's own explanation.
    if (err instanceof WorkflowUpdateFailedError && err.cause?.message) throw new UserError(err.cause.message);
    throw err;
  }
}

/** Runs a call against a project's workflow, explaining a missing workflow in the project's terms. */
export function onProject<T>(project: string, call: () => Promise<T>): Promise<T> {
  return onWorkflow(
    call,
    `Project "${project}" is not running (no workflow ${projectWorkflowId(project)}). ` +
      `Start it with \`amlops start --project ${project}\`.`,
  );
}
