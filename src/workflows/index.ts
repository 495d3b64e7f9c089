// The workflows the worker registers (this file is the bundle's entry point).
export { operationalize } from './operationalize';
export { retrainingCycle } from './cycle';
export { scheduledRetrain } from './scheduled';
