export { type Clock, realClock, ManualClock, MAX_TIMER_DELAY_MS } from './clock.js';
export { TimerQueue, type TimerQueueOptions } from './timers.js';
export {
  type ExponentialBackoff,
  CERTIFICATE_BACKOFF,
  DEFAULT_BACKOFF,
  backoffDelay,
  ItemBackoff,
} from './backoff.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
export {
  Controller,
  type ControllerOptions,
  type Reconcile,
  type Result,
  type SyncHooks,
  type SyncOutcome,
  decideOutcome,
} from './controller.js';
export { TokenBucket, type TokenBucketOptions, DEFAULT_CLIENT_RATE } from './token-bucket.js';
export {
  ApiError,
  type StatusCause,
  isConflict,
  isNotFound,
  isAlreadyExists,
  isInvalid,
  isGone,
} from './api-error.js';
export { type ObjectRef, keyOf, objectKey, parseKey } from './keys.js';
export {
  type ResourceType,
  apiVersionOf,
  collectionPath,
  objectPath,
  SECRETS,
  EVENTS,
  CERTIFICATES,
  CERTIFICATE_REQUESTS,
  ISSUERS,
  CLUSTER_ISSUERS,
  ORDERS,
  CHALLENGES,
} from './resources.js';
export { IndexedStore, type IndexFunc, NAMESPACE_INDEX, byOwnerUid, byLabel, byAnnotation } from './store.js';
export {
  KubeClient,
  type KubeClientOptions,
  type ObjectList,
  type WatchEvent,
  type WatchStream,
  type ListerWatcher,
  type ListOptions,
  type WatchOptions,
  type PatchOptions,
  type ApplyOptions,
  type DeleteOptions,
} from './client.js';
export { Informer, type InformerOptions, type EventHandler, INFORMER_BACKOFF, getCachedOrFetch } from './informer.js';
export { enqueueObject, enqueueMapped, controllerOwnerKeys } from './handlers.js';
