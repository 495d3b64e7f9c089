// The search attributes that make the Web UI's workflow list show project, step and champion metric.
// The dev server must be started with these registered (see src/devserver).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PROJECT = defineSearchAttributeKey('AmlopsProject', SearchAttributeType.KEYWORD);
export const STEP = defineSearchAttributeKey('AmlopsStep', SearchAttributeType.KEYWORD);
export const CYCLE = defineSearchAttributeKey('AmlopsCycle', SearchAttributeType.INT);
export const CHAMPION_METRIC = defineSearchAttributeKey('AmlopsChampionMetric', SearchAttributeType.DOUBLE);

export const ALL_SEARCH_ATTRIBUTES = [PROJECT, STEP, CYCLE, CHAMPION_METRIC];
