/**
 * Commits `items` apart after committing them together failed for a reason that may belong to one
 * of them (one bad event must not fail the events of other producers in its batch): each half is
 * committed on its own, a half that fails is split again, and an item that fails alone is refused.
 * At most 2n-1 commits for n items; about 2·log2(n) when one item is bad. A failure that no split
 * can help (`splittable` false, e.g. a full disk) refuses the whole part.
 */
export async function commitApart<T>(
  items: readonly T[],
  commit: (part: T[]) => Promise<void>,
  refuse: (part: T[], err: unknown) => void,
  splittable: (err: unknown) => boolean,
): Promise<void> {
  const mid = items.length >> 1
  for (const part of [items.slice(0, mid), items.slice(mid)]) {
    if (part.length === 0) continue
    try {
      await commit(part)
    } catch (err) {
      if (part.length === 1 || !splittable(err)) refuse(part, err)
      else await commitApart(part, commit, refuse, splittable)
    }
  }
}
