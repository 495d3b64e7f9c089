// Which workspace the client talks to: a real Azure ML workspace, or the local one
// (its endpoint, certificate, credential).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { LocalWorkspaceCredential } from '../emulator/auth';

export interface WorkspaceTarget {
  kind: 'azure' | 'local';
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  credential: TokenCredential;
  /** ARM base URL; absent for Azure's public cloud. */
  endpoint?: string;
  /** PEM the client must trust (the local workspace's self-signed certificate). */
  caCertificate?: string;
  /** Seconds between AutoML status polls: Azure jobs move slowly, local ones fast. */
  pollSeconds: number;
}

export class WorkspaceNotConfigured extends Error {
  override name = 'WorkspaceNotConfigured';
}

/** A real Azure workspace when AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and AZUREML_WORKSPACE are all set. */
export function azureTargetFromEnv(env: NodeJS.ProcessEnv = process.env): WorkspaceTarget | undefined {
  const names = ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZUREML_WORKSPACE'] as const;
  const set = names.filter((n) => env[n]);
  if (set.length === 0) return undefined;
  if (set.length < names.length) {
    const missing = names.filter((n) => !env[n]);
    throw new WorkspaceNotConfigured(
      `To use an Azure ML workspace set all of ${names.join(', ')}; missing: ${missing.join(', ')}. Unset them all to use the local workspace.`,
    );
  }
  return {
    kind: 'azure',
    subscriptionId: env.AZURE_SUBSCRIPTION_ID as string,
    resourceGroup: env.AZURE_RESOURCE_GROUP as string,
    workspaceName: env.AZUREML_WORKSPACE as string,
    // Service principal from AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, managed identity or `az login`;
    // never a prompt.
    credential: new DefaultAzureCredential(),
    pollSeconds: 30,
  };
}

/** What a running local workspace writes to <dataDir>/connection.json. */
export interface LocalConnection {
  endpoint: string;
  caCertificatePath: string;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
}

export function localTarget(
  connection: LocalConnection & { caCertificate?: string },
  credential: TokenCredential,
): WorkspaceTarget {
  return {
    kind: 'local',
    subscriptionId: connection.subscriptionId,
    resourceGroup: connection.resourceGroup,
    workspaceName: connection.workspaceName,
    credential,
    endpoint: connection.endpoint,
    caCertificate: connection.caCertificate ?? readFileSync(connection.caCertificatePath, 'utf8'),
    pollSeconds: 1,
  };
}

/** Connects to the local workspace another process runs from `workspaceDir` (e.g. `npm start`). */
export function localTargetFromDir(workspaceDir: string): WorkspaceTarget {
  const file = join(workspaceDir, 'connection.json');
  if (!existsSync(file)) {
    throw new WorkspaceNotConfigured(
      `No local workspace has run in ${workspaceDir}. Start amlops with \`npm start\` first, or configure an Azure workspace (AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZUREML_WORKSPACE).`,
    );
  }
  const connection = JSON.parse(readFileSync(file, 'utf8')) as LocalConnection;
  return localTarget(connection, LocalWorkspaceCredential.fromDataDir(workspaceDir));
}
