// provisioningState transitions every provisioned resource kind shares (Creating/Updating -> Succeeded, Deleting, ...).
import type { EmulatorContext } from '../context';
import type { Kind } from '../store';

interface Provisioned {
  properties: { provisioningState: string };
}

/** Sets the stored resource's provisioningState; returns it as stored now, or undefined if it no longer exists. */
export function setProvisioningState<T extends Provisioned>(
  ctx: EmulatorContext,
  kind: Kind,
  key: string,
  provisioningState: string,
): T | undefined {
  const cur = ctx.store.get<T>(kind, key);
  if (!cur) return undefined;
  return ctx.store.put(kind, key, { ...cur, properties: { ...cur.properties, provisioningState } });
}
