// The ARM protocol every resource's routes share: GET one (404 when absent), GET the collection ({value}), PUT (201
// new, 200 existing, Azure-AsyncOperation while it provisions) and DELETE (204 absent, 200 removed, 202 with an LRO).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from './errors';
import type { Operations } from './lro';
import { send } from './http';

export type Params = Record<string, string>;
export type Query = Record<string, string | undefined>;

/** What a createOrUpdate did: the resource as stored now, whether it is new, and provisioning still to run. */
export interface Upsert<T> {
  resource: T;
  created: boolean;
  /** Runs as a long-running operation after the answer; absent where Azure answers synchronously. */
  provision?: () => Promise<void>;
}

/** How a delete ends: nothing was there (204), it is gone already (200), or a teardown to run as an LRO (202). */
export type Removal = 'absent' | 'removed' | (() => Promise<void>);

/** One resource kind's operations, as its resource module provides them, keyed by the route's parameters. */
export interface ArmResourceRoutes<T> {
  /** Azure's operation group: 'Compute' names the routes Compute_Get, Compute_List, Compute_CreateOrUpdate, ... */
  group: string;
  /** Route of one resource, its name the last parameter (`${WS_ROUTE}/computes/:name`); the list is its parent. */
  path: string;
  /** How a 404 names the kind: "The {what} '{name}' was not found." */
  what: string;
  /** The name a 404 quotes; the last path parameter unless given. */
  nameOf?(params: Params): string;
  get(params: Params): T | undefined;
  list(params: Params, query: Query): T[];
  /** The resource as answered (e.g. with live state merged in); as stored unless given. */
  view?(resource: T): unknown;
  createOrUpdate?(params: Params, body: unknown): Upsert<T> | Promise<Upsert<T>>;
  remove?(params: Params, query: Query): Removal;
}

type Route = { Params: Params; Querystring: Query };

export function registerArmResource<T>(app: FastifyInstance, ops: Operations, r: ArmResourceRoutes<T>): void {
  const param = r.path.slice(r.path.lastIndexOf('/:') + 2);
  const collection = r.path.slice(0, r.path.lastIndexOf('/'));
  const view = (resource: T): unknown => (r.view ? r.view(resource) : resource);
  const named = (op: string) => ({ config: { operation: `${r.group}_${op}` } });

  app.get<Route>(r.path, named('Get'), async (req) => {
    const found = r.get(req.params);
    if (!found) throw notFound(r.what, r.nameOf ? r.nameOf(req.params) : req.params[param]);
    return view(found);
  });

  app.get<Route>(collection, named('List'), async (req) => ({ value: r.list(req.params, req.query).map(view) }));

  const { createOrUpdate, remove } = r;
  if (createOrUpdate) {
    app.put<Route>(r.path, named('CreateOrUpdate'), async (req, reply) => {
      const { resource, created, provision } = await createOrUpdate(req.params, req.body);
      const headers = provision ? ops.start(provision) : {};
      return send(reply, created ? 201 : 200, view(resource), headers);
    });
  }
  if (remove) {
    app.delete<Route>(r.path, named('Delete'), async (req, reply) => {
      const outcome = remove(req.params, req.query);
      if (outcome === 'absent') return reply.code(204).send();
      if (outcome === 'removed') return reply.code(200).send();
      return accepted(ops, reply, outcome);
    });
  }
}

/** 202 with Azure-AsyncOperation and Location pointing at `work`, which runs as that operation. */
export function accepted(ops: Operations, reply: FastifyReply, work: () => Promise<void>): FastifyReply {
  return send(reply, 202, undefined, ops.start(work, { withLocation: true }));
}
