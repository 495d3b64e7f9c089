// Loads a model artifact file (the AutoML engine's JSON document) into a LoadedModel for serving.
import { readFileSync } from 'node:fs';
import { loadModel } from '../automl';
import type { LoadedModel, ModelArtifact } from '../automl/types';

/** Reads and loads an artifact; errors name the file and what to do about it. */
export function loadModelFile(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read model file ${path}: ${(err as Error).message}; set AMLOPS_MODEL_PATH to the registered model's artifact JSON`,
      { cause: err },
    );
  }
  let artifact: ModelArtifact;
  try {
    artifact = JSON.parse(text) as ModelArtifact;
  } catch (err) {
    throw new Error(
      `model file ${path} is not JSON (${(err as Error).message}); register the artifact JSON the AutoML job produced`,
      { cause: err },
    );
  }
  try {
    return loadModel(artifact);
  } catch (err) {
    throw new Error(`model file ${path} cannot be loaded: ${(err as Error).message}`, { cause: err });
  }
}
