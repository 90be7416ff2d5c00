// XSS payloads for `html` (and hostile `image`) decisions, shared by the jsdom and the
// Chromium suites. Each one, if it ran, would set window.__pwned (or open a dialog);
// the suites assert it never does. They cover the classic families: script elements,
// event handlers, javascript:/data: URLs (with the usual obfuscations), SVG and MathML
// namespace tricks, mutation XSS, srcdoc/iframe/object/embed, forms, CSS expressions and
// url(), meta refresh, base hijacking, DOM clobbering and template/noscript parsing gaps.
export const PWN = 'window.__pwned=(window.__pwned||0)+1';

export const HTML_VECTORS: Array<[name: string, html: string]> = [
  ['script element', `<p>hi</p><script>${PWN}</script>`],
  ['script with src', `<script src="data:text/javascript,${PWN}"></script>`],
  ['img onerror', `<img src="x" onerror="${PWN}">`],
  ['body onload', `<body onload="${PWN}">`],
  ['details ontoggle', `<details open ontoggle="${PWN}"><summary>s</summary></details>`],
  ['autofocus onfocus', `<div tabindex="1" autofocus onfocus="${PWN}">f</div>`],
  ['mixed-case handler', `<IMG SRC=x OnErRoR="${PWN}">`],
  ['javascript: link', `<a id="jslink" href="javascript:${PWN}">click</a>`],
  ['javascript: with entities', `<a id="jslink2" href="&#106;avascript&#58;${PWN}">click</a>`],
  ['javascript: with tab and spaces', `<a id="jslink3" href=" java\tscript:${PWN}">click</a>`],
  ['data: link', `<a id="datalink" href="data:text/html,<script>${PWN}</script>">d</a>`],
  ['data: image', `<img id="dataimg" src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='${PWN}'/>">`],
  ['svg onload', `<svg onload="${PWN}"><circle r="5"/></svg>`],
  ['svg script', `<svg><script>${PWN}</script></svg>`],
  ['svg animate href', `<svg><a><animate attributeName="href" values="javascript:${PWN}"/><text y="20">x</text></a></svg>`],
  ['svg foreignObject', `<svg><foreignObject><img src=x onerror="${PWN}"></foreignObject></svg>`],
  ['mathml href', `<math><mi xlink:href="javascript:${PWN}">m</mi></math>`],
  ['mathml mXSS', `<math><mtext><table><mglyph><style><img src=x onerror="${PWN}"></style></mglyph></table></mtext></math>`],
  ['form mXSS', `<form><math><mtext></form><form><mglyph><style></math><img src onerror="${PWN}">`],
  ['noscript mXSS', `<noscript><p title="</noscript><img src=x onerror=${PWN}>"></p></noscript>`],
  ['template', `<template><img src=x onerror="${PWN}"></template>`],
  ['iframe srcdoc', `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`],
  ['iframe javascript:', `<iframe src="javascript:parent.__pwned=1"></iframe>`],
  ['object data', `<object data="data:text/html,<script>parent.__pwned=1</script>"></object>`],
  ['embed', `<embed src="data:text/html,<script>parent.__pwned=1</script>">`],
  ['form action', `<form action="javascript:${PWN}"><button id="btn">go</button></form>`],
  ['button formaction', `<button formaction="javascript:${PWN}">b</button>`],
  ['css expression', `<div style="width: expression(${PWN}); background: url('javascript:${PWN}')">css</div>`],
  ['style element', `<style>@import 'javascript:${PWN}'; body{background:url("javascript:${PWN}")}</style><p>s</p>`],
  ['meta refresh', `<meta http-equiv="refresh" content="0;url=javascript:${PWN}">`],
  ['base href', `<base href="javascript:${PWN}//"><a href="x">rel</a>`],
  ['dom clobbering', `<img name="getElementById"><form id="__tuttiClobber"></form><a id="__pwned">c</a>`],
  ['link import', `<link rel="import" href="data:text/html,<script>${PWN}</script>">`],
  ['video poster', `<video poster="javascript:${PWN}"><source src="data:video/mp4,x" onerror="${PWN}"></video>`],
  ['nested slot', `<div data-tutti-slot="hijack">nested</div>`],
];

/** Image decisions whose URLs must never be used. */
export const BAD_IMAGE_SRC = [
  `javascript:${PWN}`,
  'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>',
  ' JaVaScRiPt:window.__pwned=1',
  'vbscript:msgbox(1)',
  'blob:http://127.0.0.1/abc',
];
