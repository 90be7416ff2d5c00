// Shared by the jsdom suites: a fetch stub that records every batch the SDK posts.
import { vi } from 'vitest';
import type { TuttiEvent } from '../../src/types';

export interface Posted {
  url: string;
  body: { writeKey: string; sentAt: string; batch: TuttiEvent[] };
  keepalive: boolean;
}

export function recordFetch(status = 200) {
  const posted: Posted[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    let text = '';
    if (typeof init.body === 'string') text = init.body;
    else if (init.body instanceof Uint8Array) {
      const { gunzipSync } = await import('node:zlib');
      text = gunzipSync(init.body).toString('utf8');
    }
    posted.push({ url, body: JSON.parse(text), keepalive: !!init.keepalive });
    return { status, headers: new Headers(), text: async () => '{}' } as unknown as Response;
  });
  vi.stubGlobal('fetch', fetch);
  const events = () => posted.flatMap((p) => p.body.batch);
  return { posted, events, fetch };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the script-tag build as the snippet's async <script> would (document.currentScript set). */
export async function loadScriptTag(): Promise<void> {
  const tag = document.querySelector('script[src$="tutti.min.js"]') as HTMLScriptElement;
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
  await import('../../adapters/web/script');
  delete (document as unknown as Record<string, unknown>).currentScript;
}
