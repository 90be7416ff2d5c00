// Campaign landing page wiring. Page views, campaign (utm_*), container, handoff and
// delivery are automatic; this file only tracks what the page is for: claiming a kit
// and joining the club. Text is set with textContent only.
'use strict';

(function () {
  var tutti = window.tutti;
  var $ = function (id) {
    return document.getElementById(id);
  };
  if (!tutti) $('sdk-missing').hidden = false;

  function call(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    return tutti && typeof tutti[method] === 'function' ? tutti[method].apply(tutti, args) : undefined;
  }

  function claim(where) {
    call('track', 'Coupon Claimed', { coupon: 'spring-kit-9.9', price: 9.9, currency: 'CNY', placement: where });
    $('claimed').hidden = false;
    $('claim').disabled = true;
    $('claim-bar').disabled = true;
    render();
  }
  $('claim').addEventListener('click', function () {
    claim('hero');
  });
  $('claim-bar').addEventListener('click', function () {
    claim('bottom-bar');
  });

  $('join').addEventListener('click', function () {
    // A real page gets the member ID from its login (WeChat OAuth, phone code); the demo makes one.
    var member = call('getUserId') || 'member-' + Math.random().toString(36).slice(2, 10);
    call('identify', member, { club: 'tea' });
    call('track', 'Signed Up', { method: 'wechat' });
    $('joined').hidden = false;
    render();
  });

  /** The panel at the bottom: what this page's events carry. */
  function render() {
    if (!tutti) return;
    var bridge = window.TuttiBridge || (window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.tutti);
    $('t-aid').textContent = call('getAnonymousId') || '–';
    $('t-uid').textContent = call('getUserId') || '(anonymous)';
    $('t-delivery').textContent = bridge ? 'native bridge (the app sends)' : 'HTTP';
  }

  // The container is part of every event's context: show the one of the last event sent.
  call('on', 'sent', function (info) {
    var last = info && info.events && info.events[info.events.length - 1];
    if (last && last.context) $('t-container').textContent = String(last.context.container);
  });

  render();
})();
