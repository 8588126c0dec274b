/**
 * A Map that holds at most `limit` entries: setting a key makes it the newest, and a new key beyond the
 * limit pushes out the oldest (Map keeps insertion order). For the in-process caches of the update path
 * (users, sessions, command menus, texts), so that none of them grows with the number of people.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    if (this.size >= this.limit) super.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
