const tutti = require('tutti').default;

Page({
  data: { anonymousId: '' },
  onShow() {
    this.setData({ anonymousId: tutti.getAnonymousId() });
  },
  openItem() {
    wx.navigateTo({ url: '/pages/item/item?id=42' });
  },
  trackClick() {
    tutti.track('Button Clicked', { button: 'demo' });
  },
  signUp() {
    tutti.identify('user-1', { plan: 'free' });
    tutti.track('Signed Up', { method: 'example' });
  },
  openWeb() {
    wx.navigateTo({ url: '/pages/web/web' });
  },
  // Defining this handler turns WeChat's share menu on; Tutti adds tutti_sharer and
  // tutti_depth to the path it returns and sends a `Share` event.
  onShareAppMessage() {
    return { title: 'Tutti example', path: '/pages/index/index?utm_source=friend&utm_medium=share' };
  },
});
