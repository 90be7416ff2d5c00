// Context of a mini-program event: device and app facts from the new split APIs or the
// legacy getSystemInfoSync, the network type kept current, and context.miniprogram.
import { describe, expect, it } from 'vitest';
import { wxEnvironment } from '../../adapters/miniprogram/env';
import { sleep } from './harness';
import { createRuntime } from './wx-runtime';

const expected = {
  container: 'wechat-miniprogram',
  locale: 'zh_CN',
  screen: { width: 393, height: 852, density: 3 },
  device: { manufacturer: 'Apple', model: 'iPhone 15', type: 'mobile' },
  os: { name: 'iOS', version: '17.4' },
  app: { namespace: 'wx0123456789abcdef', version: '1.2.3' },
  wechat: { version: '8.0.49', sdkVersion: '3.4.5', envVersion: 'release' },
};

describe('wxEnvironment', () => {
  it('reads getDeviceInfo / getWindowInfo / getAppBaseInfo and falls back to getSystemInfoSync', () => {
    for (const legacyInfo of [false, true]) {
      const rt = createRuntime({ legacyInfo });
      expect(typeof rt.wx.getDeviceInfo).toBe(legacyInfo ? 'undefined' : 'function');
      const env = wxEnvironment(rt.wx, {});
      expect(env.channel).toBe('miniprogram');
      expect(env.context()).toMatchObject(expected);
    }
  });

  it('follows the network type and the current page', async () => {
    const rt = createRuntime();
    const where = { scene: 1007, path: 'pages/a/a', query: { x: '1' } };
    const env = wxEnvironment(rt.wx, where);
    expect(env.context().network).toBeUndefined();
    await sleep(5);
    expect(env.context().network).toEqual({ type: 'wifi', wifi: true, cellular: false });
    rt.setOffline(true);
    expect(env.context().network).toEqual({ type: 'none', wifi: false, cellular: false });
    where.path = 'pages/b/b';
    expect(env.context().miniprogram).toEqual({ appId: 'wx0123456789abcdef', scene: 1007, path: 'pages/b/b', query: { x: '1' } });
  });

  it('never throws when the APIs are missing or throw', () => {
    const rt = createRuntime();
    for (const k of Object.keys(rt.wx)) {
      rt.wx[k] = () => {
        throw new Error(k + ':fail');
      };
    }
    expect(wxEnvironment(rt.wx, {}).context()).toMatchObject({ container: 'wechat-miniprogram', miniprogram: {} });
    expect(wxEnvironment(undefined, {}).context().container).toBe('wechat-miniprogram');
  });
});
