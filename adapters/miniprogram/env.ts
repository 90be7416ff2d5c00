// Event context of a mini-program: device, OS, screen, WeChat version, network type and
// `context.miniprogram` { appId, scene, path, query }. Device and app facts are read
// once (getDeviceInfo / getWindowInfo / getAppBaseInfo, or the deprecated
// getSystemInfoSync on base libraries before 2.20.1); the network type is asked
// asynchronously once and then kept current by onNetworkStatusChange, which also tells
// the instance when the device is back online.
import type { Environment } from '../../src/platform';
import type { EventContext } from '../../src/types';
import { wxCall, type Wx } from './wx';

/** Where the user is now: filled by the lifecycle tracker, read for every event. */
export interface Whereabouts {
  scene?: number;
  path?: string;
  query?: Record<string, string>;
}

type Info = { [k: string]: any };

function staticContext(w: Wx | undefined): Partial<EventContext> {
  let sys: Info | undefined;
  const legacy = (): Info => sys || (sys = wxCall<Info>(w, 'getSystemInfoSync') || {});
  const device: Info = wxCall<Info>(w, 'getDeviceInfo') || legacy();
  const win: Info = wxCall<Info>(w, 'getWindowInfo') || legacy();
  const base: Info = wxCall<Info>(w, 'getAppBaseInfo') || legacy();
  const account: Info = (wxCall<Info>(w, 'getAccountInfoSync') || {}).miniProgram || {};
  // "iOS 16.1" / "Android 13": name and version in one string.
  const [, osName = device.system || device.platform, osVersion] = /^(\S+) (.*)$/.exec(device.system) || [];
  let timezone: string | undefined;
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    // Intl is missing on some old Android runtimes
  }
  // Fields WeChat did not give stay undefined; JSON leaves them out of the event.
  const ctx: Partial<EventContext> = {
    container: 'wechat-miniprogram',
    locale: base.language,
    timezone,
    screen: { width: win.screenWidth, height: win.screenHeight, density: win.pixelRatio },
    device: { manufacturer: device.brand, model: device.model, type: 'mobile' },
    os: { name: osName, version: osVersion },
    app: { namespace: account.appId, version: account.version || undefined },
    // envVersion (develop / trial / release) lets the backend leave test traffic out.
    wechat: { version: base.version, sdkVersion: base.SDKVersion, envVersion: account.envVersion },
  };
  return ctx;
}

export function wxEnvironment(w: Wx | undefined, where: Whereabouts, online?: () => void): Environment {
  let fixed: Partial<EventContext> | undefined;
  let network: string | undefined;
  const setNetwork = (r: Info) => {
    if (r && typeof r.networkType === 'string') network = r.networkType;
  };
  wxCall(w, 'getNetworkType', { success: setNetwork });
  wxCall(w, 'onNetworkStatusChange', (r: Info) => {
    setNetwork(r);
    if (r && r.isConnected && online) online();
  });
  return {
    channel: 'miniprogram',
    context() {
      if (!fixed) fixed = staticContext(w);
      const ctx: Partial<EventContext> = {
        ...fixed,
        miniprogram: { appId: (fixed.app as Info).namespace, ...where },
      };
      if (network) ctx.network = { type: network, wifi: network === 'wifi', cellular: network !== 'wifi' && network !== 'none' && network !== 'unknown' };
      return ctx;
    },
  };
}
