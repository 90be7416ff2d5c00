// <tutti-inspector>: the mini-program debug panel, like the web inspector add-on. It lists
// the latest events the SDK builds and what became of each (queued → sent / failed /
// dropped, matched by messageId), the anonymous ID, user ID, session ID, consent and
// campaigns, and has a "Flush now" button.
//
//   // page.json                                          <!-- page.wxml -->
//   { "usingComponents": {                                <tutti-inspector debug />
//       "tutti-inspector": "tutti/components/tutti-inspector/index" } }
//
// Gate: it shows (and listens) only when `debug` is set on it or the SDK was initialised
// with `debug: true`, and never in a release build (wx.getAccountInfoSync's envVersion
// must be 'develop' or 'trial'; unknown counts as release). Otherwise it renders nothing
// and registers nothing (in develop/trial builds, before init, one plugin that does
// nothing but notice init, when the SDK's `debug` option becomes known).
//
// Every panel on the page stack shares one list, kept while at least one is shown; the
// last one to detach removes the `on` listeners and empties it. The SDK has no way to
// remove a plugin, so the one plugin (registered once, at most) stays and does nothing.
// Event data is only ever bound as text (<text>{{…}}</text>), never as rich-text, and
// every callback is guarded: nothing here throws into the page or the SDK.
'use strict';

var KEEP = 100; // events kept in the shared list
var JSON_MAX = 20000; // characters of one event's JSON shown
var KINDS = ['sent', 'failed', 'dropped'];

var sdk;
/** The SDK singleton (dist/miniprogram/index.js after "build npm"), as <tutti-slot> finds it. */
function tutti() {
  if (sdk === undefined) {
    sdk = null;
    try {
      var m = require('../../index');
      sdk = (m && (m.default || m)) || null;
    } catch (e) {
      // SDK not found: the panel stays empty
    }
  }
  return sdk;
}

function guard(fn, fallback) {
  try {
    return fn();
  } catch (e) {
    return fallback;
  }
}

function has(o, k) {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** A release build, or one that cannot say (no getAccountInfoSync, not WeChat). */
function release() {
  return guard(function () {
    var v = wx.getAccountInfoSync().miniProgram.envVersion;
    return v !== 'develop' && v !== 'trial';
  }, true);
}

/** The SDK's options once it is initialised (undefined before). */
function sdkOptions() {
  return guard(function () {
    var t = tutti();
    return (t && t.options) || undefined;
  });
}

// ---- the list every panel shows ------------------------------------------------------

var hub = {
  /** Attached components. */
  views: [],
  /** The ones whose panel is on. */
  shown: [],
  /** Records, oldest first: { id, e, early, t, cls, status }. */
  list: [],
  byId: {},
  /** `on` removers while any panel is shown; null otherwise. */
  offs: null,
  /** When the list started: unknown events delivered later are listed if built before. */
  opened: 0,
  plugin: null,
};

/**
 * Adds an event: one the plugin saw goes on top (build order); one built before the list
 * started (`early`, learnt of when delivered) goes below all of those, in time order.
 */
function record(e, early) {
  var id = e && e.messageId;
  if (!id || typeof id !== 'string') return null;
  if (has(hub.byId, id)) return hub.byId[id];
  var r = { id: id, e: e, early: !!early, t: Date.parse(e.timestamp) || 0, cls: 'queued', status: 'queued' };
  var i = hub.list.length;
  if (early) {
    i = 0;
    while (i < hub.list.length && hub.list[i].early && hub.list[i].t <= r.t) i++;
  }
  hub.byId[id] = r;
  hub.list.splice(i, 0, r);
  while (hub.list.length > KEEP) delete hub.byId[hub.list.shift().id];
  return r;
}

function changed() {
  hub.shown.forEach(function (v) {
    v._schedule();
  });
}

function onStatus(cls) {
  return function (info) {
    guard(function () {
      var events = (info && info.events) || [];
      for (var i = 0; i < events.length; i++) {
        var e = events[i];
        if (!e || typeof e !== 'object') continue;
        // Unknown and built before the list started (the same millisecond counts: the plugin
        // saw everything since), it is added; unknown and newer, it was capped away.
        var r = has(hub.byId, e.messageId) ? hub.byId[e.messageId] : Date.parse(e.timestamp) <= hub.opened ? record(e, true) : null;
        if (!r) continue;
        r.e = e;
        r.cls = cls;
        r.status = cls + (info.reason ? ': ' + info.reason : '') + (info.status ? ' (' + info.status + ')' : '');
      }
      changed();
    });
  };
}

/** Registers the plugin once: it sees every event as built and hands it on untouched. */
function ensurePlugin() {
  var t = tutti();
  if (hub.plugin || !t || typeof t.use !== 'function') return;
  hub.plugin = {
    name: 'tutti-inspector',
    // At init (or at once when already initialised): the SDK's `debug` option is known now.
    setup: function () {
      guard(function () {
        hub.views.slice().forEach(function (v) {
          v._gate();
        });
      });
    },
    beforeSend: function (e) {
      if (hub.offs) {
        guard(function () {
          if (record(e)) changed();
        });
      }
      return e;
    },
  };
  guard(function () {
    t.use(hub.plugin);
  });
}

function start() {
  if (hub.offs) return;
  var t = tutti();
  hub.opened = Date.now();
  hub.offs = KINDS.map(function (k) {
    return guard(function () {
      return t.on(k, onStatus(k));
    });
  });
}

function stop() {
  if (!hub.offs) return;
  hub.offs.forEach(function (off) {
    if (typeof off === 'function') guard(off);
  });
  hub.offs = null;
  hub.list = [];
  hub.byId = {};
}

// ---- what the panel shows ------------------------------------------------------------

function label(e) {
  var v = e.type === 'track' ? e.event : e.name || e.groupId || (/^[ia]/.test(String(e.type)) ? e.userId : '');
  return v == null ? '' : String(v);
}

function pad(n) {
  return (n < 10 ? '0' : '') + n;
}

function time(ts) {
  var d = new Date(ts);
  return isNaN(d.getTime()) ? '' : pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function json(v, indent) {
  var s = guard(function () {
    return JSON.stringify(v, null, indent);
  });
  return typeof s === 'string' ? s : '–';
}

function stateText() {
  var t = tutti();
  if (!t || !sdkOptions()) return 'SDK not initialised';
  return guard(function () {
    var c = t.getCampaign() || { first: null, last: null };
    // Consent is not exposed as such: linkUrl adds the IDs only with consent granted.
    var probe = 'https://example.com/';
    return (
      'anonymousId: ' + (t.getAnonymousId() || '–') +
      '\nuserId: ' + (t.getUserId() || '–') +
      '\nsessionId: ' + (t.getSessionId() || '–') +
      '\nconsent: ' + (t.linkUrl(probe) !== probe ? 'granted' : 'not granted (pending or denied)') +
      '\ncampaign first: ' + json(c.first) +
      '\ncampaign last: ' + json(c.last)
    );
  }, '');
}

Component({
  // Page styles do not reach in, these do not leak out.
  options: { styleIsolation: 'isolated' },
  properties: {
    /** Show the panel (develop and trial builds only). */
    debug: { type: Boolean, value: false },
    /** Start expanded. */
    open: { type: Boolean, value: false },
    /** Events listed, newest first (1–100). */
    max: { type: Number, value: 50 },
  },
  data: { on: false, expanded: false, count: 0, rows: [], state: '', sel: '', json: '' },
  observers: {
    debug: function () {
      var self = this;
      guard(function () {
        self._gate();
      });
    },
  },
  lifetimes: {
    attached: function () {
      var self = this;
      guard(function () {
        self._attached = true;
        if (release()) return; // nothing at all in a release build
        hub.views.push(self);
        // Before init the SDK's `debug` option is unknown: the plugin's setup tells.
        if (!sdkOptions()) ensurePlugin();
        self._gate();
      });
    },
    detached: function () {
      var self = this;
      guard(function () {
        self._attached = false;
        var i = hub.views.indexOf(self);
        if (i >= 0) hub.views.splice(i, 1);
        self._off(false);
      });
    },
  },
  // A page under another in the stack renders nothing (WeChat advises against setData on
  // pages not shown): no render per event, no 2 s refresh; one render when it shows again.
  pageLifetimes: {
    show: function () {
      var self = this;
      guard(function () {
        self._hidden = false;
        if (self._shown) self._schedule();
      });
    },
    hide: function () {
      var self = this;
      guard(function () {
        self._hidden = true;
        clearTimeout(self._timer);
        clearInterval(self._tick);
        self._timer = self._tick = undefined;
      });
    },
  },
  methods: {
    /** Turns the panel on or off as the gate says. */
    _gate: function () {
      if (!this._attached || release()) return;
      var o = sdkOptions();
      var on = !!this.data.debug || !!(o && o.debug === true);
      if (on && !this._shown) {
        this._shown = true;
        hub.shown.push(this);
        ensurePlugin();
        start();
        this.setData({ on: true, expanded: !!this.data.open });
        this._render();
      } else if (!on && this._shown) this._off(true);
    },
    _off: function (render) {
      clearTimeout(this._timer);
      clearInterval(this._tick);
      this._timer = this._tick = undefined;
      if (!this._shown) return;
      this._shown = false;
      var i = hub.shown.indexOf(this);
      if (i >= 0) hub.shown.splice(i, 1);
      if (!hub.shown.length) stop();
      if (render) this.setData({ on: false, expanded: false, count: 0, rows: [], state: '', sel: '', json: '' });
    },
    /** One render for a burst of events. */
    _schedule: function () {
      var self = this;
      if (!this._shown || this._hidden || this._timer) return;
      this._timer = setTimeout(function () {
        self._timer = undefined;
        guard(function () {
          self._render();
        });
      }, 50);
    },
    _render: function () {
      if (!this._shown) return;
      var max = Math.min(KEEP, Math.max(1, Math.floor(Number(this.data.max)) || 50));
      var n = Math.min(max, hub.list.length);
      var data = { count: n };
      if (this.data.expanded) {
        var rows = [];
        for (var i = hub.list.length - 1; i >= 0 && rows.length < max; i--) {
          var r = hub.list[i];
          rows.push({ id: r.id, type: String(r.e.type), name: label(r.e), time: time(r.e.timestamp), status: r.status, cls: r.cls });
        }
        var sel = this.data.sel;
        var picked = sel && has(hub.byId, sel) && rows.some(function (x) {
          return x.id === sel;
        });
        var text = picked ? json(hub.byId[sel].e, 2) : '';
        data.rows = rows;
        data.state = stateText();
        data.sel = picked ? sel : '';
        data.json = text.length > JSON_MAX ? text.slice(0, JSON_MAX) + '\n… (' + text.length + ' characters)' : text;
      }
      this.setData(data);
      // While expanded, identity and consent are re-read every 2 s (they change without events).
      var self = this;
      if (this.data.expanded && !this._tick) {
        this._tick = setInterval(function () {
          self._schedule();
        }, 2000);
      } else if (!this.data.expanded && this._tick) {
        clearInterval(this._tick);
        this._tick = undefined;
      }
    },
    onToggle: function () {
      var self = this;
      guard(function () {
        if (!self._shown) return;
        self.setData({ expanded: !self.data.expanded });
        self._render();
      });
    },
    onRow: function (ev) {
      var self = this;
      guard(function () {
        var id = ev && ev.currentTarget && ev.currentTarget.dataset && ev.currentTarget.dataset.id;
        if (!self._shown || typeof id !== 'string') return;
        self.setData({ sel: self.data.sel === id ? '' : id });
        self._render();
      });
    },
    onFlush: function () {
      var self = this;
      guard(function () {
        var t = tutti();
        if (!self._shown || !t) return;
        var again = function () {
          self._schedule();
        };
        Promise.resolve(t.flush()).then(again, again);
      });
    },
    /** A tap on the JSON (selecting text) does not close it. */
    onNoop: function () {},
  },
});
