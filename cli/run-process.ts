/**
 * `certwright run` as the command list loads it: new-space growth is limited before the
 * controller's module graph loads (loading it is the burst that grew new space), then run.ts.
 */
import { limitNewSpaceGrowth } from '../controller/runtime/heap.js';

limitNewSpaceGrowth();
await import('./run.js');
