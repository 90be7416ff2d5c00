const tutti = require('tutti').default;
const config = require('../../config');

Page({
  data: { src: '' },
  onLoad() {
    // linkUrl adds tutti_aid / tutti_uid / tutti_ts so the H5 page (Tutti's h5 build)
    // continues with the same person. The domain must be a business domain of the app.
    this.setData({ src: tutti.linkUrl(config.h5Url) });
  },
});
