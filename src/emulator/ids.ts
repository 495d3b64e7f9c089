// The workspace's identity (subscription, group, name) and the ARM ids and URLs derived from it.
export interface WorkspaceIdentity {
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  location: string;
}

export const PROVIDER = 'Microsoft.MachineLearningServices';

/** ARM's envelope of every workspace child (a proxy resource, as the REST specs call it). */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  systemData: Record<string, string>;
}

/** An ARM resource that also has a region and tags (a tracked resource). */
export interface TrackedResource extends ArmResource {
  location: string;
  tags: Record<string, string>;
}

export function workspaceId(w: WorkspaceIdentity): string {
  const group = `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}`;
  return `${group}/providers/${PROVIDER}/workspaces/${w.workspaceName}`;
}

/** ARM id of a child resource, e.g. childId(w, 'computes', 'cpu') or childId(w, 'models', 'm', 'versions', '1'). */
function childId(w: WorkspaceIdentity, ...segments: string[]): string {
  return `${workspaceId(w)}/${segments.join('/')}`;
}

/** ARM resource type of a child, e.g. Microsoft.MachineLearningServices/workspaces/computes. */
function childType(...kinds: string[]): string {
  return `${PROVIDER}/workspaces/${kinds.join('/')}`;
}

/** id, name and type of the workspace child at `path` (kind, name, kind, name...), e.g. ('computes', 'cpu'). */
export function armChild(w: WorkspaceIdentity, ...path: string[]): Pick<ArmResource, 'id' | 'name' | 'type'> {
  const kinds = path.filter((_, i) => i % 2 === 0);
  return { id: childId(w, ...path), name: path[path.length - 1], type: childType(...kinds) };
}

/** Fastify route prefix for workspace children; params :subscriptionId, :resourceGroupName, :workspaceName. */
export const WS_ROUTE = `/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/${PROVIDER}/workspaces/:workspaceName`;

export function systemData(createdAt: string, modifiedAt = createdAt): Record<string, string> {
  return {
    createdAt,
    createdBy: 'local-user',
    createdByType: 'User',
    lastModifiedAt: modifiedAt,
    lastModifiedBy: 'local-user',
    lastModifiedByType: 'User',
  };
}

/** systemData of a resource written now: created when its earlier version was (if there is one), modified now. */
export function rewrittenSystemData(existing: ArmResource | undefined): Record<string, string> {
  const now = new Date().toISOString();
  return systemData(existing?.systemData.createdAt ?? now, now);
}
