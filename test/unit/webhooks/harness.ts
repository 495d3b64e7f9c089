// Shared set-up of the webhook unit tests: the app on a loopback port, a stand-in Temporal client, and captured log
// lines.
// Not fastify.inject: light-my-request 6.8 (fastify's inject) requires the ESM-only cookie@2, which jest cannot load
// on Node 20. A real socket costs a millisecond and also covers what inject skips (content-length, keep-alive reuse).
import type { WorkflowSignalWithStartOptions } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildWebhookApp, type WebhookClient, type WebhookServerOptions } from '../../../src/webhooks';
import { DEFAULT_SETTINGS, type ProjectInput, type RetrainRequest } from '../../../src/contract';

export const SECRETS = {
  github: 'gh-secret-0123456789abcdef',
  eventGrid: 'eg-secret-0123456789abcdef',
  token: 'tok-secret-0123456789abcdef',
};

export const PROJECT: ProjectInput = { project: 'demo', datasetUri: 'data/bank.csv', settings: DEFAULT_SETTINGS };

export interface Sent {
  workflowType: unknown;
  options: WorkflowSignalWithStartOptions<[RetrainRequest]> & {
    workflowId: string;
    taskQueue: string;
    args: unknown[];
  };
}

export interface InjectOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string;
}

export interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever shape the route answers
  json(): any; // any: tests read whatever shape the route answers
}

export interface Harness {
  app: FastifyInstance;
  /** Sends one request over loopback (same options as fastify.inject). */
  inject(options: InjectOptions): Promise<Reply>;
  /** Every signalWithStart the app made, in order. */
  sent: Sent[];
  requests: () => RetrainRequest[];
  /** Raw log lines written so far. */
  logs: string[];
}

/** `temporal` decides how the stand-in client answers; default: accept at once. */
export async function harness(
  overrides: Partial<WebhookServerOptions> = {},
  temporal: (sent: Sent) => Promise<void> = async () => undefined,
): Promise<Harness> {
  const sent: Sent[] = [];
  const logs: string[] = [];
  const client = {
    withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
    workflow: {
      signalWithStart: async (workflowType: unknown, options: Sent['options']) => {
        const call = { workflowType, options };
        sent.push(call);
        await temporal(call);
        return { workflowId: options.workflowId };
      },
    },
  } as unknown as WebhookClient;
  const app = await buildWebhookApp({
    client,
    taskQueue: 'tq-test',
    projects: (name) => (name === PROJECT.project ? PROJECT : undefined),
    secrets: SECRETS,
    eventGrid: { container: 'training', prefix: 'bank/' },
    logDestination: { write: (line: string) => void logs.push(line) },
    ...overrides,
  });
  open.push(app);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const inject = async ({ method, url, headers = {}, payload }: InjectOptions): Promise<Reply> => {
    const res = await fetch(`${base}${url}`, { method, headers, body: payload });
    const body = await res.text();
    return { statusCode: res.status, headers: Object.fromEntries(res.headers), body, json: () => JSON.parse(body) };
  };
  return { app, inject, sent, logs, requests: () => sent.map((s) => (s.options.signalArgs as [RetrainRequest])[0]) };
}

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A gRPC-shaped error as @temporalio/client surfaces it (isGrpcServiceError checks details and metadata). */
export function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code, details: message, metadata: {} });
}
