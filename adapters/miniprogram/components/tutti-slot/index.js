// <tutti-slot>: shows a personalization decision in a mini-program page and reports
// `Slot Viewed` / `Slot Clicked` (SPEC §7), the same contract as `[data-tutti-slot]` on
// the web.
//
//   // page.js                                   <!-- page.wxml -->
//   async onLoad() {                             <tutti-slot slot-id="hero" decision="{{hero}}">
//     const d = await tutti.personalize(['hero']);   <view>default content</view>
//     this.setData({ hero: d.hero || false });   </tutti-slot>
//   }
//
// `decision`: a Decision renders it; `false` (or any non-object) means "no decision,
// keep the default"; null (the initial value) means "still waiting". While waiting the
// default content is hidden (visibility only, so nothing moves) for at most `timeout`
// ms (default: the SDK's personalization.timeout, 800); after that the default stays for
// the life of this component, so content never swaps under the user's eyes.
// Content: text as text, image with an absolute http(s) src, html converted to a
// whitelisted rich-text node tree; json is left to the page (the slot keeps its default
// content and the decision is still reported). A tap also triggers `slottap` with
// { slotId, variantId, href } so the page can navigate (href: http(s) image links only).
'use strict';

var htmlNodes = require('./html-nodes');

var sdk;
/** The SDK singleton this component reports to (dist/miniprogram/index.js after "build npm"). */
function tutti() {
  if (sdk === undefined) {
    sdk = null;
    try {
      var m = require('../../index');
      sdk = (m && (m.default || m)) || null;
    } catch (e) {
      // SDK not found: the component still renders, without events
    }
  }
  return sdk;
}

function call(method, args) {
  var t = tutti();
  try {
    if (t && typeof t[method] === 'function') return t[method].apply(t, args);
  } catch (e) {
    // never break the page
  }
  return undefined;
}

function isDecision(d) {
  return !!d && typeof d === 'object' && typeof d.variantId === 'string' && d.variantId !== '' && !!d.content && typeof d.content === 'object';
}

/** The view data for a decision's content, or null when it cannot be shown safely. */
function viewOf(content) {
  switch (content.type) {
    case 'text':
      return typeof content.text === 'string' ? { kind: 'text', text: content.text } : null;
    case 'image': {
      var src = htmlNodes.httpUrl(String(content.src || ''));
      if (!src) return null;
      var href = content.href !== undefined ? htmlNodes.httpUrl(String(content.href)) : undefined;
      return { kind: 'image', src: src, alt: typeof content.alt === 'string' ? content.alt : '', href: href || '' };
    }
    case 'html':
      return typeof content.html === 'string' ? { kind: 'html', nodes: htmlNodes.htmlToNodes(content.html) } : null;
    case 'json':
      return { kind: '' }; // for the page; the default content stays
    default:
      return null;
  }
}

Component({
  options: { addGlobalClass: true },
  properties: {
    slotId: { type: String, value: '' },
    // Any type: a Decision, false (no decision), or null (waiting).
    decision: { type: null, value: null },
    /** Longest wait for a decision, ms; 0 = the SDK's personalization.timeout. */
    timeout: { type: Number, value: 0 },
  },
  data: { state: 'pending', kind: '', text: '', src: '', alt: '', nodes: [] },
  observers: {
    decision: function (d) {
      this._offer(d);
    },
  },
  lifetimes: {
    attached: function () {
      var self = this;
      this._settled = false;
      this._viewed = false;
      this._visible = false;
      this._offer(this.data.decision);
      if (!this._settled) {
        var o = (tutti() && tutti().options) || {};
        var wait = this.data.timeout > 0 ? this.data.timeout : (o.personalization && o.personalization.timeout) || 800;
        this._timer = setTimeout(function () {
          self._settle(null);
        }, wait);
      }
      try {
        this._io = this.createIntersectionObserver({ thresholds: [0.5] });
        this._io.relativeToViewport().observe('.tutti-slot', function (res) {
          self._visible = !!res && res.intersectionRatio >= 0.5;
          self._maybeViewed();
        });
      } catch (e) {
        // no observer (very old base library): views are not reported
      }
    },
    detached: function () {
      clearTimeout(this._timer);
      if (this._io) this._io.disconnect();
      this._io = null;
    },
  },
  pageLifetimes: {
    // Coming back to the page is a new page view: the slot may be viewed again.
    hide: function () {
      this._hidden = true;
    },
    show: function () {
      if (!this._hidden) return;
      this._hidden = false;
      this._viewed = false;
      this._maybeViewed();
    },
  },
  methods: {
    _offer: function (d) {
      if (this._settled || d === null || d === undefined) return;
      this._settle(isDecision(d) ? d : null);
    },
    _settle: function (d) {
      if (this._settled) return;
      this._settled = true;
      clearTimeout(this._timer);
      var view = d ? viewOf(d.content) : null;
      this._decision = view ? d : null;
      this._href = (view && view.href) || '';
      var data = { state: 'shown', kind: view ? view.kind : '' };
      if (view && view.kind === 'text') data.text = view.text;
      if (view && view.kind === 'image') {
        data.src = view.src;
        data.alt = view.alt;
      }
      if (view && view.kind === 'html') data.nodes = view.nodes;
      this.setData(data);
      this._maybeViewed();
    },
    _props: function () {
      var d = this._decision;
      var p = { slotId: this.data.slotId, variantId: d ? d.variantId : 'default' };
      if (d && typeof d.experimentId === 'string') p.experimentId = d.experimentId;
      return p;
    },
    _maybeViewed: function () {
      if (!this._settled || this._viewed || this._hidden || !this._visible || !this.data.slotId) return;
      this._viewed = true;
      call('track', ['Slot Viewed', this._props()]);
    },
    onTap: function () {
      if (!this._settled || !this.data.slotId) return;
      var p = this._props();
      call('track', ['Slot Clicked', p]);
      this.triggerEvent('slottap', { slotId: p.slotId, variantId: p.variantId, href: this._href });
    },
  },
});
