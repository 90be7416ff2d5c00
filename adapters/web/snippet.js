/*
 * Tutti async snippet (readable source). Paste the minified form (README) into <head>.
 * It defines a stub `window.tutti` that records every call as [method, args, time]
 * and loads the SDK without blocking the page; the SDK then replays the calls in
 * order, each with its original time. flush() and personalize() return promises that
 * settle once the SDK has run them. Replace the URL, write key and endpoint.
 */
(function (w, d, src) {
  if (w.tutti) return; // the SDK (or another snippet) is already here
  var q = [];
  var t = (w.tutti = { _q: q });
  'init track page identify alias group setExternalId reset setConsent use on flush personalize'
    .split(' ')
    .forEach(function (m) {
      t[m] = function () {
        var call = [m, [].slice.call(arguments), Date.now()];
        q.push(call);
        if (m == 'flush' || m == 'personalize') {
          return new Promise(function (resolve) {
            call.push(resolve);
          });
        }
      };
    });
  var s = d.createElement('script');
  s.async = true;
  s.src = src;
  (d.head || d.documentElement).appendChild(s);
})(window, document, 'https://cdn.example.com/tutti/tutti.min.js');

tutti.init({ writeKey: 'YOUR_WRITE_KEY', endpoint: 'https://collect.example.com' });
