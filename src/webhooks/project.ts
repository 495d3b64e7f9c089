// Finds the project a webhook URL names: the `:project` path segment, validated, looked up in the server's projects.
import { describeIssues, projectName, type ProjectInput } from '../contract';
import { badRequest, notFound } from './errors';

/** The projects this server triggers: the workflow input to start each with, or undefined when unknown. */
export type ProjectLookup = (name: string) => ProjectInput | undefined;

export function resolveProject(projects: ProjectLookup, raw: unknown): ProjectInput {
  const parsed = projectName.safeParse(raw);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error, 'project'));
  const project = projects(parsed.data);
  if (!project) {
    throw notFound(
      `project "${parsed.data}" is not configured on this webhook server; check the project name in the webhook URL`,
    );
  }
  return project;
}
