// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webLifecycle } from '../../adapters/web/lib/lifecycle';

// jsdom has no Navigation API: a stand-in with what the lifecycle reads.
function fakeNavigation() {
  const nav = Object.assign(new EventTarget(), { transition: null as unknown });
  (window as any).navigation = nav;
  const navigate = (init: { sameDocument: boolean; downloadRequest?: string | null; intercept?: boolean; cancel?: boolean }) => {
    const e = Object.assign(new Event('navigate', { cancelable: true }), {
      destination: { sameDocument: init.sameDocument },
      downloadRequest: init.downloadRequest ?? null,
    });
    if (init.cancel) e.preventDefault();
    nav.dispatchEvent(e);
    if (init.intercept) nav.transition = {}; // what an SPA router's intercept() leaves behind
  };
  return { nav, navigate };
}

afterEach(() => {
  delete (window as any).navigation;
});

describe('web lifecycle: the start of a navigation', () => {
  it('flushes by beacon when the page starts navigating to another document, before pagehide', async () => {
    const { navigate } = fakeNavigation();
    const flush = vi.fn();
    webLifecycle().onHidden(flush);
    navigate({ sameDocument: false });
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('keeps sending normally for same-document, intercepted, cancelled and download navigations', async () => {
    const { navigate } = fakeNavigation();
    const flush = vi.fn();
    webLifecycle().onHidden(flush);
    navigate({ sameDocument: true });
    navigate({ sameDocument: false, downloadRequest: 'report.pdf' });
    navigate({ sameDocument: false, cancel: true });
    navigate({ sameDocument: false, intercept: true });
    await Promise.resolve();
    await Promise.resolve();
    expect(flush).not.toHaveBeenCalled();
  });
});
