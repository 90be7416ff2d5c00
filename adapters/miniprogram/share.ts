// Adds the sharer's anonymous ID and the share depth to what onShareAppMessage /
// onShareTimeline return, so the recipient's launch can be attributed to the sharer.
// The parameter is `tutti_sharer`, never `tutti_aid`: the recipient is another person,
// not the same one switching containers, so it must never be adopted as an identity.
// The host's answer keeps every other field and its form: a plain object, an object with
// WeChat's `promise` field (resolved within 3 s), or a Promise from an async handler.
import { withParams } from '../../src/lib/query';
import type { PageView, ShareKind } from './lifecycle';

type Obj = { [k: string]: any };

const isThenable = (v: unknown): v is Promise<unknown> => !!v && typeof (v as Obj).then === 'function';

/** The page's query as written in its path: WeChat hands page options over still percent-encoded. */
const pageQuery = (view: PageView | undefined) => {
  const q = (view && view.query) || {};
  return Object.keys(q).map((k) => k + '=' + q[k]).join('&');
};

export function rewriteShare(kind: ShareKind, result: unknown, view: PageView | undefined, params: Record<string, string>): unknown {
  const fix = (r: unknown, fallbackPath?: string): Obj => {
    const out: Obj = { ...(r && typeof r === 'object' ? r : {}) };
    if (kind === 'timeline') {
      // onShareTimeline takes a query string without the path; default: the page's query.
      const q = typeof out.query === 'string' ? out.query : pageQuery(view);
      out.query = withParams('?' + q.replace(/^\?/, ''), params).slice(1);
    } else {
      // WeChat's default when the host gives no path: the current page with its query.
      out.path = withParams((typeof out.path === 'string' && out.path) || fallbackPath || (view ? '/' + view.route + '?' + pageQuery(view) : '/'), params);
    }
    return out;
  };
  if (isThenable(result)) return result.then((r) => fix(r));
  const out = fix(result);
  if (isThenable(out.promise)) {
    const outer = result && typeof (result as Obj).path === 'string' ? (result as Obj).path : undefined;
    out.promise = out.promise.then((r) => (r && typeof r === 'object' ? fix(r, outer) : r));
  }
  return out;
}
