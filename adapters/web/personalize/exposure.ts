// Tells when a slot is viewable: at least half of it on screen (SPEC §7), or — for a
// slot taller or wider than the viewport, which can never be half visible — when it
// fills at least half of the viewport. A background tab sees nothing: viewability
// found while the page is hidden waits until it is shown again.
// IntersectionObserver does the geometry off the main thread; without it, a
// getBoundingClientRect check runs on scroll and resize (throttled).
import { listen } from '../lib/dom';

export interface Exposure {
  /** Starts (or restarts, for a new page view) watching `el`. */
  watch(el: Element): void;
  unwatch(el: Element): void;
  stop(): void;
}

// 0.5 is the rule; the smaller steps let IntersectionObserver report a tall slot's
// growing share of the viewport.
const THRESHOLDS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1];
const THROTTLE = 100;

function viewable(ratio: number, seen: { width: number; height: number }, vw: number, vh: number): boolean {
  return ratio >= 0.5 || (vw > 0 && vh > 0 && seen.width * seen.height >= 0.5 * vw * vh);
}

/**
 * Not hidden by the page's own CSS (`display`, `visibility`). Opacity is left out on
 * purpose: a slot fading in would be refused while transparent and, with no geometry
 * change afterwards, never be measured again.
 */
function shown(el: Element): boolean {
  const check = (el as Element & { checkVisibility?(o: object): boolean }).checkVisibility;
  try {
    return check ? check.call(el, { visibilityProperty: true }) : true;
  } catch {
    return true;
  }
}

export function createExposure(onViewable: (el: Element) => void): Exposure {
  /** Watched elements and whether they were viewable at the last measurement. */
  const watched = new Map<Element, boolean>();
  const pageVisible = () => document.visibilityState !== 'hidden';
  const report = (el: Element) => {
    if (watched.get(el) && pageVisible() && shown(el)) onViewable(el);
  };

  let io: IntersectionObserver | undefined;
  /** Re-measures a slot whose size changed: an empty slot keeps ratio 1 as it grows, so the IO alone never reports it again. */
  let ro: ResizeObserver | undefined;
  const look = (el: Element) => {
    io!.unobserve(el);
    io!.observe(el);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Fallback only: measures all watched slots soon. */
  let schedule: (() => void) | undefined;
  const offs: Array<() => void> = [];

  if (typeof IntersectionObserver === 'function') {
    io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!watched.has(e.target)) continue;
          const root = e.rootBounds || { width: innerWidth, height: innerHeight };
          const box = e.boundingClientRect;
          // An empty (zero-area) slot counts as "intersecting" for the observer, but shows nothing.
          watched.set(e.target, e.isIntersecting && box.width * box.height > 0 && viewable(e.intersectionRatio, e.intersectionRect, root.width, root.height));
          report(e.target);
        }
      },
      { threshold: THRESHOLDS },
    );
    // An image that loads after the slot is shown (img{display:block}) is such a growth.
    if (typeof ResizeObserver === 'function') ro = new ResizeObserver((entries) => entries.forEach((e) => watched.get(e.target) === false && look(e.target)));
  } else {
    const measure = () => {
      timer = undefined;
      const vw = innerWidth;
      const vh = innerHeight;
      watched.forEach((_, el) => {
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
        const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
        const area = r.width * r.height;
        watched.set(el, area > 0 && w * h > 0 && viewable((w * h) / area, { width: w, height: h }, vw, vh));
        report(el);
      });
    };
    schedule = () => {
      if (!timer) timer = setTimeout(measure, THROTTLE);
    };
    offs.push(listen(window, 'scroll', schedule, true), listen(window, 'resize', schedule));
  }

  offs.push(
    listen(document, 'visibilitychange', () => {
      if (pageVisible()) watched.forEach((_, el) => report(el));
    }),
  );

  return {
    watch(el) {
      watched.set(el, false);
      // Re-observing makes the observer report the current state at once.
      if (io) look(el);
      else if (schedule) schedule();
      if (ro) ro.observe(el);
    },
    unwatch(el) {
      watched.delete(el);
      if (io) io.unobserve(el);
      if (ro) ro.unobserve(el);
    },
    stop() {
      watched.clear();
      if (io) io.disconnect();
      if (ro) ro.disconnect();
      if (timer) clearTimeout(timer);
      offs.forEach((off) => off());
    },
  };
}
