const tutti = require('tutti').default;

Page({
  data: { id: '' },
  onLoad(query) {
    this.setData({ id: query.id || '' });
  },
  buy() {
    // A conversion: it carries context.touches (the touch ledger) for attribution.
    tutti.track('Order Completed', { orderId: 'o-' + Date.now(), productId: this.data.id, revenue: 99, currency: 'CNY' });
    wx.showToast({ title: 'Ordered' });
  },
  onShareAppMessage() {
    return { title: 'Product ' + this.data.id, path: '/pages/item/item?id=' + this.data.id };
  },
  onShareTimeline() {
    return { title: 'Product ' + this.data.id, query: 'id=' + this.data.id };
  },
});
