// How each SDK is loaded and configured on the benchmark page: its browser build as a
// site would include it (script tag or the vendor's own loader snippet), pointed at the
// local sink, with autocapture, page-view tracking, session recording, remote
// configuration and telemetry off and every delivery setting left at its default.
// bench/README.md documents every setting made here and why.
//
// Each definition returns HTML for <head> that must end up defining
//   window.__track(name, props)  -> the SDK's track call
//   window.__ready()             -> called once when the SDK says it is ready
// (both provided as stubs by the page template; see page.mjs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NM = join(ROOT, 'node_modules');
const CACHE = join(ROOT, 'bench', '.cache');

const version = (pkg) => JSON.parse(readFileSync(join(NM, pkg, 'package.json'), 'utf8')).version;

/**
 * RudderStack publishes its CDN build (rsa.min.js) only on its CDN; the npm package has
 * the same code unminified. We minify the npm UMD build once with terser (what their CDN
 * build is) so its size and parse cost are not overstated.
 */
async function minifiedRudder() {
  const src = join(NM, '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js');
  const out = join(CACHE, `rudder-${version('@rudderstack/analytics-js')}.min.js`);
  if (!existsSync(out)) {
    const { minify } = await import('terser');
    const r = await minify(readFileSync(src, 'utf8'), { ecma: 2017, compress: { passes: 2 }, mangle: true, format: { comments: false } });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, r.code);
  }
  return readFileSync(out);
}

const js = (v) => JSON.stringify(v);

/**
 * The SDKs. `files` are served by the site: [url path, absolute file or Buffer] or a
 * mount [url prefix, folder] for builds that lazy-load chunks from next to themselves.
 */
export async function sdkDefinitions() {
  return [
    {
      name: 'tutti',
      label: 'Tutti',
      version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
      build: 'dist/tutti.min.js',
      mount: ['/sdk/tutti/', join(ROOT, 'dist')],
      // `prefix: ''` sends to the reference collector itself (run.mjs cross-check).
      head: ({ sink, key, prefix = '/tutti' }) => `
<script src="/sdk/tutti/tutti.min.js" data-write-key="${key}" data-endpoint="${sink}${prefix}"
  data-auto-pageview="false" data-web-vitals="false"></script>
<script>window.__track = function (n, p) { tutti.track(n, p); }; __ready();</script>`,
    },
    {
      name: 'segment',
      label: 'Segment analytics-next',
      version: version('@segment/analytics-next'),
      build: '@segment/analytics-next/dist/umd/index.js (+ lazy chunks)',
      // cdnURL points at the site: settings come from {cdnURL}/v1/projects/{key}/settings
      // and lazy chunks from {cdnURL}/analytics-next/bundles/.
      mount: ['/sdk/segment/analytics-next/bundles/', join(NM, '@segment/analytics-next/dist/umd')],
      files: ({ sink, key }) => [
        [
          `/sdk/segment/v1/projects/${key}/settings`,
          Buffer.from(
            JSON.stringify({
              integrations: { 'Segment.io': { apiKey: key, apiHost: sink.replace(/^https?:\/\//, '') + '/segment/v1', protocol: 'http' } },
              plan: { track: { __default: { enabled: true, integrations: {} } } },
              edgeFunction: {},
              analyticsNextEnabled: true,
              middlewareSettings: {},
              enabledMiddleware: {},
              metrics: { sampleRate: 0 }, // no telemetry to api.segment.io/v1/m
              legacyVideoPluginsEnabled: false,
              remotePlugins: [],
            }),
          ),
        ],
      ],
      head: ({ site, key }) => `
<script src="/sdk/segment/analytics-next/bundles/index.js"></script>
<script>
  var analytics = AnalyticsNext.AnalyticsBrowser.load({ writeKey: ${js(key)}, cdnURL: ${js(site + '/sdk/segment')} });
  analytics.ready(function () { __ready(); });
  window.__track = function (n, p) { analytics.track(n, p); };
</script>`,
    },
    {
      name: 'rudder',
      label: 'RudderStack v3',
      version: version('@rudderstack/analytics-js'),
      build: '@rudderstack/analytics-js modern/bundled UMD, minified with terser',
      files: async ({ key }) => [
        ['/sdk/rudder/rsa.min.js', await minifiedRudder()],
        [
          `/sdk/rudder-config/${key}/sourceConfig/`,
          Buffer.from(
            JSON.stringify({
              source: {
                id: 'bench',
                name: 'bench',
                writeKey: key,
                enabled: true,
                workspaceId: 'bench',
                config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
                destinations: [],
              },
            }),
          ),
        ],
      ],
      head: ({ sink, site, key }) => `
<script src="/sdk/rudder/rsa.min.js"></script>
<script>
  var ra = new rudderanalytics.RudderAnalytics();
  ra.load(${js(key)}, ${js(sink + '/rudder')}, { configUrl: ${js(site + '/sdk/rudder-config/' + key)}, logLevel: 'ERROR' });
  ra.ready(function () { __ready(); });
  window.__track = function (n, p) { ra.track(n, p); };
</script>`,
    },
    {
      name: 'posthog',
      label: 'PostHog',
      version: version('posthog-js'),
      build: 'posthog-js/dist/array.js (+ lazy extensions)',
      mount: ['/sdk/posthog/static/', join(NM, 'posthog-js/dist')],
      head: ({ sink, site, key }) => `
<script src="/sdk/posthog/static/array.js"></script>
<script>
  posthog.init(${js(key)}, {
    api_host: ${js(sink + '/posthog')},
    asset_host: ${js(site + '/sdk/posthog')},
    ui_host: null,
    autocapture: false,
    capture_pageview: false,
    capture_pageleave: false,
    capture_dead_clicks: false,
    capture_exceptions: false,
    capture_performance: false,
    disable_session_recording: true,
    disable_surveys: true,
    disable_product_tours: true,
    disable_conversations: true,
    disable_web_experiments: true,
    advanced_disable_flags: true,
    opt_out_useragent_filter: true, // Playwright sets navigator.webdriver, which PostHog treats as a bot
    loaded: function () { __ready(); },
  });
  window.__track = function (n, p) { posthog.capture(n, p); };
</script>`,
    },
    {
      name: 'amplitude',
      label: 'Amplitude Browser SDK 2',
      version: version('@amplitude/analytics-browser'),
      build: '@amplitude/analytics-browser/lib/scripts/amplitude-min.js',
      mount: ['/sdk/amplitude/', join(NM, '@amplitude/analytics-browser/lib/scripts')],
      head: ({ sink, key }) => `
<script src="/sdk/amplitude/amplitude-min.js"></script>
<script>
  amplitude.init(${js(key)}, {
    serverUrl: ${js(sink + '/amplitude/2/httpapi')},
    autocapture: false,
    fetchRemoteConfig: false,
    remoteConfig: { fetchRemoteConfig: false },
    enableDiagnostics: false,
    logLevel: 0,
  }).promise.then(function () { __ready(); });
  window.__track = function (n, p) { amplitude.track(n, p); };
</script>`,
    },
    {
      name: 'mixpanel',
      label: 'Mixpanel',
      version: version('mixpanel-browser'),
      build: 'mixpanel-browser/dist/mixpanel.min.js via the official loader snippet',
      mount: ['/sdk/mixpanel/', join(NM, 'mixpanel-browser/dist')],
      head: ({ sink, key }) => `
<script>var MIXPANEL_CUSTOM_LIB_URL = '/sdk/mixpanel/mixpanel.min.js';</script>
<script>${readFileSync(join(NM, 'mixpanel-browser/dist/mixpanel-jslib-snippet.min.js'), 'utf8')}</script>
<script>
  mixpanel.init(${js(key)}, {
    api_host: ${js(sink + '/mixpanel')},
    track_pageview: false,
    autocapture: false,
    record_sessions_percent: 0,
    loaded: function () { __ready(); },
  });
  window.__track = function (n, p) { mixpanel.track(n, p); };
</script>`,
    },
    {
      name: 'sensors',
      label: 'Sensors Data Web',
      version: version('sa-sdk-javascript'),
      build: 'sa-sdk-javascript/sensorsdata.min.js',
      mount: ['/sdk/sensors/', join(NM, 'sa-sdk-javascript')],
      head: ({ sink }) => `
<script src="/sdk/sensors/sensorsdata.min.js"></script>
<script>
  var sensors = window.sensorsDataAnalytic201505;
  sensors.init({
    server_url: ${js(sink + '/sensors/sa.gif?project=default')},
    is_track_single_page: false,
    show_log: false,
    heatmap: { clickmap: 'not_collect', scroll_notice_map: 'not_collect' },
  });
  window.__track = function (n, p) { sensors.track(n, p); };
  __ready();
</script>`,
    },
    {
      name: 'snowplow',
      label: 'Snowplow browser tracker',
      version: version('@snowplow/browser-tracker'),
      build: '@snowplow/browser-tracker/dist/index.umd.min.js',
      mount: ['/sdk/snowplow/', join(NM, '@snowplow/browser-tracker/dist')],
      // No page view, activity tracking (page pings), link or form tracking is enabled
      // (each needs a call); anonymous tracking, session context and browser context stay
      // at their defaults (off), the webPage context at its default (on). newTracker is
      // synchronous: ready once it returns. Events are self-describing: Snowplow has no
      // free-form properties, and its structured events carry only five fixed fields.
      head: ({ sink }) => `
<script src="/sdk/snowplow/index.umd.min.js"></script>
<script>
  var sp = window.snowplowBrowserTracking;
  sp.newTracker('sp', ${js(sink + '/snowplow')}, { appId: 'bench', platform: 'web' });
  window.__track = function (n, p) {
    sp.trackSelfDescribingEvent({ event: { schema: 'iglu:com.example/' + n + '/jsonschema/1-0-0', data: p } });
  };
  __ready();
</script>`,
    },
  ];
}

/**
 * Not an SDK: the least work any SDK that keeps the default batch size of 20 must do to
 * deliver 1,000 events. Each 20th call sends one POST of plain JSON with `fetch`
 * and reads its answer (no keepalive: 1,000 events at once would overrun its 64 KB budget); nothing is stored, compressed,
 * retried or enriched. Its main-thread CPU shows how much of an SDK's figure the browser's
 * own request handling takes (run.mjs measures it beside Tutti, report.mjs prints it).
 */
export const REQUEST_FLOOR = {
  name: 'floor',
  label: 'request floor (50 bare fetch POSTs, no SDK)',
  head: ({ sink }) => `
<script>
(function () {
  var q = [];
  window.__track = function (name, props) {
    q.push({ type: 'track', event: name, properties: props });
    if (q.length < 20) return;
    var body = JSON.stringify({ batch: q });
    q = [];
    fetch(${js(sink + '/floor/v1/batch')}, { method: 'POST', body: body, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }).then(function (r) { return r.text(); }, function () {});
  };
  __ready();
})();
</script>`,
};
