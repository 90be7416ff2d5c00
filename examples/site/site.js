// Demo site wiring. Everything goes through the public API of the script-tag build
// (window.tutti, SPEC §3); page views, campaigns, sessions and personalization slots are
// automatic, so this file only adds what a real shop would: cart, orders, sign-in.
'use strict';

(function () {
  const tutti = window.tutti;
  const $ = (sel) => document.querySelector(sel);
  if (!tutti) $('#sdk-missing').hidden = false;

  /** Calls the SDK only when it loaded; the shop itself works without it. */
  function call(method, ...args) {
    if (tutti && typeof tutti[method] === 'function') return tutti[method](...args);
    return undefined;
  }

  // ---- SPA navigation with history.pushState (tracked by the SDK as page views) -------
  const VIEWS = { '/': 'home', '/teas': 'teas', '/story': 'story' };
  function show(view) {
    document.querySelectorAll('[data-view]').forEach((s) => (s.hidden = s.dataset.view !== view));
    document.querySelectorAll('.bar nav a').forEach((a) => {
      if (a.dataset.nav === view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    document.title = (view === 'home' ? 'Lumen Tea' : view[0].toUpperCase() + view.slice(1) + ' · Lumen Tea') + ' · Tutti demo';
  }
  document.querySelectorAll('[data-nav]').forEach((a) =>
    a.addEventListener('click', (ev) => {
      if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
      ev.preventDefault();
      const path = a.getAttribute('href');
      if (location.pathname !== path) history.pushState({}, '', path);
      show(VIEWS[path] || 'home');
    }),
  );
  window.addEventListener('popstate', () => show(VIEWS[location.pathname] || 'home'));
  show(VIEWS[location.pathname] || 'home');

  // ---- cart and orders ---------------------------------------------------------------
  const cart = [];
  function renderCart() {
    const list = $('#cart');
    list.replaceChildren();
    if (cart.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'empty';
      list.append(li);
    }
    for (const item of cart) {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = item.name;
      const price = document.createElement('span');
      price.textContent = '¥' + item.price;
      li.append(name, price);
      list.append(li);
    }
    $('#cart-total').textContent = '¥' + cart.reduce((sum, i) => sum + i.price, 0);
    $('#checkout').disabled = cart.length === 0;
  }

  document.querySelectorAll('.product .add').forEach((button) =>
    button.addEventListener('click', () => {
      const p = button.closest('.product').dataset;
      const item = { product_id: p.id, name: p.name, price: Number(p.price), currency: 'CNY' };
      cart.push(item);
      call('track', 'Product Added', item);
      renderCart();
      $('#order-note').textContent = '';
    }),
  );

  $('#checkout').addEventListener('click', () => {
    const orderId = 'o-' + Date.now().toString(36);
    const revenue = cart.reduce((sum, i) => sum + i.price, 0);
    // A conversion event: the SDK attaches context.touches for multi-touch attribution.
    call('track', 'Order Completed', {
      order_id: orderId,
      revenue,
      currency: 'CNY',
      products: cart.map((i) => ({ product_id: i.product_id, price: i.price })),
    });
    cart.length = 0;
    renderCart();
    $('#order-note').textContent = 'Order ' + orderId + ' placed: see it attributed in the collector.';
    call('flush');
  });

  // ---- sign-in: identify with a hash, never the email itself ---------------------------
  async function sha256Hex(text) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  $('#login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    const email = form.elements.email.value.trim().toLowerCase();
    if (!email) return;
    const hash = await sha256Hex(email);
    const plan = form.elements.plan.value;
    call('identify', 'u_' + hash.slice(0, 16), { plan });
    call('setExternalId', 'email_sha256', hash);
    form.reset();
    refresh();
    // The plan may change what the hero shows (a rule matches pro members), from the next
    // page load: a slot shown once keeps its content for the page view, so nothing swaps
    // under the visitor's eyes. This asks now; the answer goes to on('decision') below.
    Promise.resolve(call('personalize', ['hero'])).catch(() => {});
  });

  $('#logout').addEventListener('click', () => {
    call('reset');
    refresh();
  });

  // ---- what the SDK knows --------------------------------------------------------------
  function campaignText(c) {
    return c ? [c.source, c.medium, c.name].filter(Boolean).join(' / ') || '(none)' : '(none)';
  }

  function refresh() {
    if (!tutti) return;
    const campaign = call('getCampaign') || { first: null, last: null };
    const rows = [
      ['anonymousId', call('getAnonymousId')],
      ['userId', call('getUserId') || '(anonymous)'],
      ['session', call('getSessionId')],
      ['first campaign', campaignText(campaign.first)],
      ['session campaign', campaignText(campaign.last)],
      ['SDK version', tutti.version],
    ];
    const dl = $('#state');
    dl.replaceChildren();
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v === undefined || v === null ? '' : String(v);
      dl.append(dt, dd);
    }
    const userId = call('getUserId');
    $('#who').textContent = userId ? 'signed in as ' + userId : 'browsing anonymously';
  }

  if (tutti && typeof tutti.on === 'function') {
    tutti.on('decision', (info) => console.info('[demo] decision', info.slotId, info.decision.variantId));
  }
  renderCart();
  refresh();
  setInterval(refresh, 2000);
})();
