// Collector UI: plain DOM, no framework. Collected data is untrusted (any page can send
// events), so it only ever reaches the page through textContent and attribute setters,
// never innerHTML; the page also runs under a strict Content-Security-Policy.
'use strict';

(function () {
  const POLL_MS = 1500;
  const MAX_ROWS = 300;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  /** Creates an element; string/number children become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function getJson(path) {
    const res = await fetch(path, { cache: 'no-store' });
    if (!res.ok) throw new Error(res.status + ' ' + path);
    return res.json();
  }

  const short = (id) => (typeof id === 'string' && id.length > 12 ? id.slice(0, 8) + '…' : id || '');
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  const campaignText = (c) => (c && (c.source || c.medium || c.name) ? [c.source, c.medium, c.name].filter(Boolean).join(' / ') : '');
  const fmt = (n) => (Math.round(n * 100) / 100).toLocaleString();
  /** What an event is about: its name, else (page views without a name) the path. */
  const label = (e) => e.event || e.name || (e.context && e.context.page && e.context.page.path) || '';

  // ---- tabs --------------------------------------------------------------------------
  const tabs = document.querySelectorAll('nav button');
  tabs.forEach((tab) =>
    tab.addEventListener('click', () => {
      tabs.forEach((t) => t.setAttribute('aria-selected', String(t === tab)));
      document.querySelectorAll('[role=tabpanel]').forEach((p) => (p.hidden = p.id !== tab.dataset.tab));
      if (tab.dataset.tab === 'profiles') loadProfiles();
      if (tab.dataset.tab === 'attribution') loadAttribution();
    }),
  );

  // ---- stats -------------------------------------------------------------------------
  async function loadStats() {
    const s = await getJson('/v1/stats');
    const items = [
      ['events', s.events], ['duplicates', s.duplicates], ['rejected', s.rejected],
      ['batch requests', s.batchRequests], ['decide', s.decideRequests],
      ['forwarded', s.forward.forwarded], ['forward dropped', s.forward.dropped],
    ];
    $('stats').replaceChildren(...items.map(([k, v]) => el('div', null, el('dt', null, k), el('dd', null, Number(v).toLocaleString()))));
  }

  // ---- live events -------------------------------------------------------------------
  let cursor = 0;
  const filterForm = $('event-filter');
  const rows = $('event-rows');

  function eventFilter() {
    const q = new URLSearchParams();
    for (const name of ['type', 'event', 'anonymousId', 'userId']) {
      const v = filterForm.elements[name].value.trim();
      if (v) q.set(name, v);
    }
    return q;
  }

  function eventRow(e, fresh) {
    const ctx = e.context || {};
    const tr = el('tr', { class: fresh ? 'fresh' : '' },
      el('td', { title: e.timestamp || '' }, time(e.timestamp)),
      el('td', null, e.type),
      el('td', null, label(e)),
      el('td', null, ctx.channel || ''),
      el('td', null, campaignText(ctx.campaign)),
      el('td', { title: e.anonymousId || '' }, short(e.anonymousId)),
      el('td', { title: e.userId || '' }, short(e.userId)),
    );
    tr.addEventListener('click', () => {
      rows.querySelectorAll('.selected').forEach((r) => r.classList.remove('selected'));
      tr.classList.add('selected');
      $('event-detail').textContent = JSON.stringify(e, null, 2);
    });
    return tr;
  }

  async function loadEvents(restart) {
    if (filterForm.elements.paused.checked && !restart) return;
    const q = eventFilter();
    q.set('limit', restart ? '100' : '200');
    if (!restart && cursor) q.set('after', String(cursor));
    const { events, lastId } = await getJson('/v1/events?' + q);
    // The collector was reset (row ids start again): reload instead of waiting for old ids.
    if (!restart && lastId < cursor) return loadEvents(true);
    if (restart) rows.replaceChildren();
    // Newest first: prepend in reverse so the newest ends on top.
    for (let i = events.length - 1; i >= 0; i--) rows.prepend(eventRow(events[i], !restart));
    while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
    cursor = lastId;
  }

  filterForm.addEventListener('input', () => loadEvents(true).catch(console.warn));
  filterForm.addEventListener('submit', (ev) => ev.preventDefault());

  // ---- profiles ----------------------------------------------------------------------
  async function loadProfiles() {
    const { profiles } = await getJson('/v1/profiles?limit=50');
    $('profile-list').replaceChildren(
      ...profiles.map((p) => {
        const name = p.userIds[0] || short(p.anonymousIds[0]) || p.id;
        const li = el('li', null, el('strong', null, name), ' ',
          el('span', { class: 'muted' }, `${p.anonymousIds.length} device(s), ${p.externalIds.length} external ID(s)`));
        li.addEventListener('click', () => showProfile(p.id, li));
        return li;
      }),
    );
  }

  function tags(values) {
    return values.length ? values.map((v) => el('span', { class: 'tag', title: v }, v)) : [el('span', { class: 'muted' }, 'none')];
  }

  async function showProfile(id, li) {
    document.querySelectorAll('#profile-list .selected').forEach((n) => n.classList.remove('selected'));
    if (li) li.classList.add('selected');
    const box = $('profile-detail');
    let p;
    try {
      p = await getJson('/v1/profiles/' + encodeURIComponent(id));
    } catch {
      box.replaceChildren(el('p', { class: 'muted' }, 'No profile for ' + id));
      return;
    }
    const touches = el('table', { class: 'grid' },
      el('thead', null, el('tr', null, el('th', null, 'when'), el('th', null, 'source / medium / campaign'), el('th', null, 'channel'))),
      el('tbody', null, ...p.touches.map((t) =>
        el('tr', null, el('td', null, new Date(t.at).toLocaleString()), el('td', null, campaignText(t)), el('td', null, t.channel || ''))),
      ),
    );
    const events = el('table', { class: 'grid' },
      el('tbody', null, ...p.events.slice(0, 50).map((e) =>
        el('tr', null, el('td', null, new Date(e.timestamp).toLocaleString()), el('td', null, e.type),
          el('td', null, label(e)), el('td', null, (e.context && e.context.channel) || ''))),
      ),
    );
    box.replaceChildren(
      el('h2', null, p.userIds[0] || p.id),
      el('h3', null, 'user IDs'), ...tags(p.userIds),
      el('h3', null, 'anonymous IDs (devices)'), ...tags(p.anonymousIds),
      el('h3', null, 'external IDs'), ...tags(p.externalIds.map((x) => x.type + ':' + x.id)),
      el('h3', null, 'channels'), ...tags(p.channels),
      el('h3', null, 'traits'), el('pre', { class: 'detail' }, JSON.stringify(p.traits, null, 2)),
      el('h3', null, 'campaign touches'), p.touches.length ? touches : el('p', { class: 'muted' }, 'none'),
      el('h3', null, `events (${p.eventCount}, latest 50)`), events,
    );
  }

  $('profile-search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = ev.target.elements.id.value.trim();
    if (id) showProfile(id, null);
  });

  // ---- attribution -------------------------------------------------------------------
  let report = null;
  const modelForm = $('model-form');

  async function loadAttribution() {
    report = await getJson('/v1/attribution');
    renderAttribution();
  }

  function renderAttribution() {
    if (!report) return;
    const metric = modelForm.elements.metric.value;
    const rowLabel = (r) => [r.source, r.medium, r.campaign].join(' / ');
    $('attribution-summary').textContent =
      `${report.conversions} conversion(s), revenue ${fmt(report.revenue)}, lookback ${report.lookbackDays} days`;
    $('attribution-rows').replaceChildren(
      ...report.rows.map((r) =>
        el('tr', null, el('td', null, r.source), el('td', null, r.medium), el('td', null, r.campaign),
          ...['firstTouch', 'lastTouch', 'linear', 'timeDecay'].map((m) => el('td', null, fmt(r[metric][m]))))),
    );
    renderChart(report.rows, modelForm.elements.model.value, metric, rowLabel);
  }

  /** Horizontal bar chart in inline SVG; labels are text nodes. */
  function renderChart(data, model, metric, rowLabel) {
    const rowsToShow = data.slice(0, 12);
    const barH = 22, gap = 8, labelW = 260, width = 760, valueW = 60;
    const max = Math.max(1e-9, ...rowsToShow.map((r) => r[metric][model]));
    const height = Math.max(40, rowsToShow.length * (barH + gap) + gap);
    // Drawn at its natural size (shrinks on narrow screens), so labels keep their font size.
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `${metric} by campaign, ${model}` });
    rowsToShow.forEach((r, i) => {
      const y = gap + i * (barH + gap);
      const value = r[metric][model];
      const w = Math.max(1, ((width - labelW - valueW) * value) / max);
      chart.append(
        svg('text', { x: labelW - 8, y: y + barH / 2 + 4, 'text-anchor': 'end' }, rowLabel(r)),
        svg('rect', { x: labelW, y, width: w, height: barH, rx: 3 }),
        svg('text', { x: labelW + w + 6, y: y + barH / 2 + 4 }, fmt(value)),
      );
    });
    if (rowsToShow.length === 0) chart.append(svg('text', { x: 8, y: 24 }, 'No conversions yet.'));
    $('chart').replaceChildren(chart);
  }

  modelForm.addEventListener('change', renderAttribution);

  // ---- polling -----------------------------------------------------------------------
  async function tick() {
    try {
      await Promise.all([loadStats(), loadEvents(false)]);
      if (!$('attribution').hidden) await loadAttribution();
    } catch (err) {
      console.warn('collector UI:', err);
    }
    setTimeout(tick, POLL_MS);
  }
  loadEvents(true).catch(console.warn).then(tick);
})();
