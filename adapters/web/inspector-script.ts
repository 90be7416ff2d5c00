// dist/tutti.inspector.min.js: the inspector for script-tag pages (web and H5), an add-on
// for debugging tagging. It opens by itself only in a tab that loaded a page with
// `tutti_debug=1` in the query string (until `tutti_debug=0`); otherwise
// `tuttiInspector.enableInspector(tutti)` opens it. It may run
// before or after the SDK, like the personalization add-on:
// - after the SDK (or after the async snippet's stub, which queues `use` like any call):
//   it registers its plugin on `window.tutti`;
// - before both: the plugin waits in the page registry and the SDK uses it when it makes
//   the page's instance (lib/registry.ts).
// Either way the panel appears once the instance is initialised. No SDK by the time the
// page has loaded: a console warning, nothing on the page.
import type { Tutti } from '../../src/types';
import { attempt, listen, win } from './lib/dom';
import { later, pageTutti, registry } from './lib/registry';
import { enableInspector } from './inspector/index';

export { enableInspector };

const STICKY = 'tutti_debug';

attempt(() => {
  const w = win() as (Window & { tutti?: Tutti }) | undefined;
  if (!w) return;
  // The choice lasts for the tab (sessionStorage), so a funnel walked through several pages
  // keeps the panel; `tutti_debug=0` turns it off again. No sessionStorage: this page only.
  const asked = /[?&]tutti_debug=([01])(&|$)/.exec(w.location.search);
  const on = attempt(() => {
    if (asked) w.sessionStorage.setItem(STICKY, asked[1]);
    return w.sessionStorage.getItem(STICKY) === '1';
  }, !!asked && asked[1] === '1');
  if (!on) return;
  const own = document.currentScript as HTMLScriptElement | null;
  // Its setup runs once the SDK has made and initialised the page's instance.
  const t = pageTutti();
  enableInspector(t || later(), { nonce: (own && own.nonce) || undefined });
  if (!t) {
    const off = listen(w, 'load', () => {
      off();
      if (!registry().instance && !w.tutti) console.warn('[tutti] inspector: no Tutti on this page');
    });
  }
});
