// What crosses process and workflow boundaries: schemas (and the types inferred from them), records, messages,
// names and search attributes. Workflows, activities, the CLI and the webhooks all import it; it imports none of them.
export * from './activities';
export * from './durations';
export * from './messages';
export * from './names';
export * from './schemas';
export * from './search-attributes';
export * from './types';
