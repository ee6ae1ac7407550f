// Grouping without copying: a group's list is created once and pushed to, so
// a trace of 50,000 spans costs 50,000 pushes, not a copy per span.

/** The list at `key` in `groups`, created empty the first time. */
export function listAt<K, V>(groups: Map<K, V[]>, key: K): V[] {
  let list = groups.get(key);
  if (!list) groups.set(key, (list = []));
  return list;
}
