// The tree learners' shared machinery (histograms -> best split -> grower; plain and packed inference): entry point.
export type { BinnedData } from './histogram';
export { TreeGrower, TreeParams } from './grower';
export { Tree, TreeJSON, treeToJSON, treeFromJSON, meanLeafDepth, predictTree } from './predictor';
export { PackedTrees } from './packed';
