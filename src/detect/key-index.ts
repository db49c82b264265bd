/**
 * The group keys of the rules that group by the same fields (every rule by
 * address shares one): key → key id, and per key id the slot of each of
 * those rules' groups (-1: none). One Map probe serves all of them, and the
 * key looked up last is remembered, so the rules an event touches with the
 * same key (an address for credential-stuffing, then login-enumeration) probe
 * once between them.
 */
export class KeyIndex {
  readonly index = new Map<string, number>();
  /** Rules in this index: a key id's row in `slots` has one column each. */
  columns = 0;
  /** slots[keyId × columns + column]. */
  slots = new Int32Array(0);
  keys: string[] = [];
  /** Key ids handed out so far (free ones included). */
  ids = 0;
  readonly free: number[] = [];
  /** The key probed last and its id (-1: not in the index). */
  lastKey: string | undefined = undefined;
  lastId = -1;

  /** The key's id, or -1. */
  id(key: string): number {
    if (key === this.lastKey) return this.lastId;
    const id = this.index.get(key) ?? -1;
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  /** The key's id, added (its row empty) when it has none. */
  add(key: string): number {
    let id = this.id(key);
    if (id >= 0) return id;
    id = this.free.pop() ?? this.ids++;
    const need = (id + 1) * this.columns;
    if (need > this.slots.length) {
      const grown = new Int32Array(Math.max(need, this.slots.length * 2, 64)).fill(-1);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.keys[id] = key;
    this.index.set(key, id);
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  /** Empties a column of a key's row; the key leaves the index once its row is empty. */
  remove(id: number, column: number): void {
    const row = id * this.columns;
    this.slots[row + column] = -1;
    for (let j = 0; j < this.columns; j++) if ((this.slots[row + j] as number) >= 0) return;
    this.index.delete(this.keys[id] as string);
    this.keys[id] = '';
    this.free.push(id);
    if (this.lastId === id) this.lastKey = undefined;
  }

  clear(): void {
    this.index.clear();
    this.slots = new Int32Array(0);
    this.keys = [];
    this.ids = 0;
    this.free.length = 0;
    this.lastKey = undefined;
    this.lastId = -1;
  }

  /** Adds a column (a rule joins): rows are re-laid out. */
  widen(): number {
    const old = this.columns;
    const columns = old + 1;
    const slots = new Int32Array(Math.max(this.ids * columns, 64)).fill(-1);
    for (let id = 0; id < this.ids; id++) slots.set(this.slots.subarray(id * old, (id + 1) * old), id * columns);
    this.slots = slots;
    this.columns = columns;
    return old;
  }
}
