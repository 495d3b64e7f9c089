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
  return `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/${PROVIDER}/workspaces/${w.workspaceName}`;
}

/** ARM id of a child resource, e.g. child(w, 'computes', 'cpu') or child(w, 'models', 'm', 'versions', '1'). */
export function childId(w: WorkspaceIdentity, ...segments: string[]): string {
  return `${workspaceId(w)}/${segments.join('/')}`;
}

/** ARM resource type of a child, e.g. Microsoft.MachineLearningServices/workspaces/computes. */
export function childType(...kinds: string[]): string {
  return `${PROVIDER}/workspaces/${kinds.join('/')}`;
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
