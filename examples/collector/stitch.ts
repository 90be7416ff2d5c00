// Identity stitching: every identifier a person shows up with (anonymousId per device,
// userId, external IDs such as wechat_unionid or phone_sha256) is a node; events link
// the nodes they carry. Connected nodes are one profile, so a person seen in the
// mini-program, an H5 page in WeChat and on the website becomes one profile.
//
// Storage is a union-find persisted in SQLite, in its "weighted quick-find" form: every
// key row holds its component's root directly, and a union relabels the smaller
// component. Finds are one indexed lookup, listing a profile's members is one index
// range, and each key is relabelled at most log2(n) times over its life.
import type { Database, Statement } from 'better-sqlite3';

export type KeyKind = 'anon' | 'user' | 'ext';

/** Node keys are namespaced so an anonymousId can never collide with a userId. */
export const key = {
  anon: (id: string) => `anon:${id}`,
  user: (id: string) => `user:${id}`,
  /** External IDs as `type:id`, e.g. `ext:wechat_unionid:o6_bmasdasdsad6`. */
  ext: (type: string, id: string) => `ext:${type}:${id}`,
};

export function splitKey(k: string): { kind: KeyKind; id: string } {
  const i = k.indexOf(':');
  return { kind: k.slice(0, i) as KeyKind, id: k.slice(i + 1) };
}

export const STITCH_SCHEMA = `
  CREATE TABLE IF NOT EXISTS identities (
    key  TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    at   INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS identities_root ON identities(root, key);
  CREATE TABLE IF NOT EXISTS profiles (
    root      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    traits    TEXT NOT NULL DEFAULT '{}',
    traits_at INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

/** The hot path looks the same few keys up again and again; unions clear it. */
const CACHE_LIMIT = 50_000;

export class IdentityGraph {
  private readonly cache = new Map<string, string>();
  private readonly q: {
    find: Statement<[string], { root: string }>;
    insertKey: Statement<[string, string, number]>;
    insertProfile: Statement<[string]>;
    profile: Statement<[string], { root: string; size: number; traits: string; traits_at: number }>;
    relabel: Statement<[string, string]>;
    setSize: Statement<[number, string]>;
    setTraits: Statement<[string, number, string]>;
    deleteProfile: Statement<[string]>;
    members: Statement<[string], { key: string }>;
    firstUser: Statement<[string], { key: string }>;
  };
  /** Called when an implicit merge is refused (two different userIds). */
  onConflict: () => void = () => {};

  constructor(db: Database) {
    db.exec(STITCH_SCHEMA);
    this.q = {
      find: db.prepare('SELECT root FROM identities WHERE key = ?'),
      insertKey: db.prepare('INSERT INTO identities (key, root, at) VALUES (?, ?, ?)'),
      insertProfile: db.prepare('INSERT INTO profiles (root, size) VALUES (?, 1)'),
      profile: db.prepare('SELECT root, size, traits, traits_at FROM profiles WHERE root = ?'),
      relabel: db.prepare('UPDATE identities SET root = ? WHERE root = ?'),
      setSize: db.prepare('UPDATE profiles SET size = ? WHERE root = ?'),
      setTraits: db.prepare('UPDATE profiles SET traits = ?, traits_at = ? WHERE root = ?'),
      deleteProfile: db.prepare('DELETE FROM profiles WHERE root = ?'),
      members: db.prepare('SELECT key FROM identities WHERE root = ? ORDER BY at, key'),
      // Range scan on (root, key): is there any `user:` key in this component?
      firstUser: db.prepare("SELECT key FROM identities WHERE root = ? AND key >= 'user:' AND key < 'user;' LIMIT 1"),
    };
  }

  /** Root of a known key, or null. */
  find(k: string): string | null {
    const cached = this.cache.get(k);
    if (cached) return cached;
    const row = this.q.find.get(k);
    if (!row) return null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(k, row.root);
    return row.root;
  }

  /** Root of a key, creating a one-key profile for unseen keys. */
  private ensure(k: string, at: number): string {
    const root = this.find(k);
    if (root) return root;
    this.q.insertKey.run(k, k, at);
    this.q.insertProfile.run(k);
    this.cache.set(k, k);
    return k;
  }

  /**
   * Links all keys one event carries into one profile. Implicit links (keys seen on the
   * same event) never merge two profiles that each already have a *different* userId:
   * that is a shared device or a client that forgot `reset()`, not one person. An
   * explicit `alias` (force) merges anyway, as Segment's alias does. Returns the root
   * of the first key.
   */
  link(keys: string[], at: number, force = false): string | null {
    if (keys.length === 0) return null;
    let root = this.ensure(keys[0], at);
    for (let i = 1; i < keys.length; i++) {
      const other = this.ensure(keys[i], at);
      if (other === root) continue;
      if (!force && this.conflict(root, other)) {
        this.onConflict();
        continue;
      }
      root = this.union(root, other);
    }
    return this.find(keys[0]);
  }

  private conflict(a: string, b: string): boolean {
    const ua = this.q.firstUser.get(a);
    const ub = this.q.firstUser.get(b);
    return !!ua && !!ub && ua.key !== ub.key;
  }

  /** Union by size: relabel the smaller component; merge traits, newer write winning. */
  private union(a: string, b: string): string {
    const pa = this.q.profile.get(a)!;
    const pb = this.q.profile.get(b)!;
    const [big, small] = pa.size >= pb.size ? [pa, pb] : [pb, pa];
    this.q.relabel.run(big.root, small.root);
    this.q.setSize.run(big.size + small.size, big.root);
    const [older, newer] = big.traits_at >= small.traits_at ? [small, big] : [big, small];
    const traits = { ...JSON.parse(older.traits), ...JSON.parse(newer.traits) };
    this.q.setTraits.run(JSON.stringify(traits), newer.traits_at, big.root);
    this.q.deleteProfile.run(small.root);
    this.cache.clear();
    return big.root;
  }

  /**
   * Merges traits from an identify event into the profile. A late-arriving older event
   * does not overwrite newer values (events can arrive out of order after retries).
   */
  setTraits(root: string, traits: Record<string, unknown>, at: number): void {
    const p = this.q.profile.get(root);
    if (!p) return;
    const current = JSON.parse(p.traits);
    const merged = at >= p.traits_at ? { ...current, ...traits } : { ...traits, ...current };
    this.q.setTraits.run(JSON.stringify(merged), Math.max(at, p.traits_at), root);
  }

  /** Member keys of a profile, oldest first. */
  members(root: string): string[] {
    return this.q.members.all(root).map((r) => r.key);
  }

  traits(root: string): Record<string, unknown> {
    const p = this.q.profile.get(root);
    return p ? JSON.parse(p.traits) : {};
  }

  /** Forget cached roots (after the tables were wiped). */
  clearCache(): void {
    this.cache.clear();
  }
}

/**
 * Resolves any identifier a user of the read API may pass: a prefixed key
 * (`anon:…`, `user:…`, `ext:type:id`), a userId, an anonymousId, or `type:id`.
 */
export function resolveAnyId(graph: IdentityGraph, anyId: string): string | null {
  if (/^(anon|user|ext):/.test(anyId)) {
    const r = graph.find(anyId);
    if (r) return r;
  }
  return graph.find(key.user(anyId)) ?? graph.find(key.anon(anyId)) ?? graph.find(`ext:${anyId}`);
}
