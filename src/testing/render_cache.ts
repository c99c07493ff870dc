/**
 * Per-record cache of rendered JSON for the big list endpoints (checks, containers, anomalies).
 *
 * A rendered record depends on more than itself (container and datastore names, tag objects,
 * field ids, anomaly counts), and handlers change records in place, so instead of tracking who
 * depends on whom the whole cache is dropped whenever the state may have changed: on inserts
 * and deletes (`FakeState.revision`) and on every {@link FakeState.touch} — which the server
 * calls around each write request, while operations run, and whenever a test reaches into
 * `server.state`. Read-only traffic (the CLI paging through lists) then renders each record
 * once and afterwards only joins cached strings.
 */
import { RawJson, toJsonText } from "./json_text.ts";
import type { FakeState, Rec } from "./state.ts";

interface Cache {
  revision: number;
  edits: number;
  byKind: Map<string, Map<Rec, RawJson>>;
}

// Keyed by state rather than stored on it, so FakeState's shape (and snapshot) stays as is.
const caches = new WeakMap<FakeState, Cache>();

/**
 * The JSON of `render()` for `rec`, from the cache while the state is unchanged. `kind` names
 * the rendering (e.g. `check`), so one record rendered two ways gets two entries.
 */
export function cachedJson(
  state: FakeState,
  kind: string,
  rec: Rec,
  render: (rec: Rec) => unknown,
): RawJson {
  let cache = caches.get(state);
  if (!cache || cache.revision !== state.revision || cache.edits !== state.edits) {
    cache = { revision: state.revision, edits: state.edits, byKind: new Map() };
    caches.set(state, cache);
  }
  let byRec = cache.byKind.get(kind);
  if (!byRec) cache.byKind.set(kind, byRec = new Map());
  const hit = byRec.get(rec);
  if (hit) return hit;
  const text = toJsonText(render(rec));
  // The text is a rope of hundreds of small pieces; V8 would walk it again on every response
  // that embeds it (measuring and encoding a 100-item page took ~0.4 ms). Converting it to a
  // number, a no-op for the value, makes V8 flatten it once, here.
  Number(text);
  const json = new RawJson(text);
  // Rendering can itself insert (a check's unknown field gets an id); such an entry is dropped
  // with the rest on the next lookup, since the revision moved on.
  byRec.set(rec, json);
  return json;
}
