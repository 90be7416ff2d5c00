// Where the example sends events, and the H5 page its web-view opens. The simulator
// reaches 127.0.0.1; for a phone, start the collector with --host 0.0.0.0 and put this
// computer's LAN address here.
module.exports = {
  writeKey: 'demo-key',
  endpoint: 'http://127.0.0.1:8787',
  h5Url: 'http://127.0.0.1:8787/', // examples/h5, served by the collector (README, step 2)
};
