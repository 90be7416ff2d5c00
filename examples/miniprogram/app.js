// The SDK is required first, before App() and the pages register: it wraps App, Page and
// Component so launches, shows, hides, page views and shares are tracked automatically.
const tutti = require('tutti').default;
const config = require('./config');

tutti.init({
  writeKey: config.writeKey,
  endpoint: config.endpoint,
  debug: true,
  // Hold events (up to 3 s) until the openid is known, so none is sent without it.
  waitForExternalId: { type: 'wechat_openid', timeout: 3000 },
});

App({
  onLaunch() {
    // Exchange the login code for the openid on your own server (code2Session needs the
    // app secret, which never ships in the mini-program). Here the example has no server:
    // it derives a stand-in after a short delay to show the holding at work.
    wx.login({
      success: ({ code }) => {
        setTimeout(() => tutti.setExternalId('wechat_openid', 'example-openid-' + String(code).slice(0, 8)), 500);
      },
      // No openid without a login: the hold's timeout (3 s) sends the events without one. Never
      // set a made-up constant here: the collector would stitch every such user into one.
    });
  },
  globalData: { tutti },
});
