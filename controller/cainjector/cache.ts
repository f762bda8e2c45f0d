/**
 * The injector's view of its target kinds: label selectors cannot select by annotation, so every
 * object is listed and watched, but only those carrying an injection annotation reach the cache,
 * stripped to what the injector reads. An object that loses its annotation leaves the cache as if
 * deleted; the resourceVersion still advances with every event.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import type { ListerWatcher, WatchEvent } from '../runtime/client.js';
import { hasInjectionAnnotation } from './sources.js';

export function injectionTargetsOnly(source: ListerWatcher<KubeObject>, strip: (obj: KubeObject) => KubeObject): ListerWatcher<KubeObject> {
  const isTarget = (obj: KubeObject) => hasInjectionAnnotation(obj.metadata.annotations);
  const filterEvent = (event: WatchEvent<KubeObject>): WatchEvent<KubeObject> => {
    if (event.type === 'BOOKMARK') return event;
    if (event.type === 'DELETED' || !isTarget(event.object)) return { type: 'DELETED', object: strip(event.object) };
    return { type: event.type, object: strip(event.object) };
  };
  return {
    description: `${source.description} with CA injection annotations`,
    list: async (signal) => {
      const list = await source.list(signal);
      return { ...list, items: list.items.filter(isTarget).map(strip) };
    },
    watch: (options, onEvent) => source.watch(options, (event) => onEvent(filterEvent(event))),
  };
}
