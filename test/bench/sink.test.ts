// The benchmark's catch-all endpoint (bench/lib/sink.mjs) must find the benchmark events
// in every peer's wire format, or a peer's deliveries and duplicates are counted as 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../bench/lib/sink.mjs';

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(() => sink.close());

const props = (seq: number) => ({ sku: 'SKU-' + seq, price: 19.9, currency: 'CNY', category: 'shoes', position: seq % 10, bench_run: 'sp', bench_seq: seq });
/** A Snowplow self-describing event as the tracker nests it: unstruct_event wrapping the event's own schema. */
const unstruct = (seq: number) =>
  JSON.stringify({
    schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
    data: { schema: 'iglu:com.example/product_viewed/jsonschema/1-0-0', data: props(seq) },
  });
const base64url = (s: string) => Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('bench sink', () => {
  it('counts Snowplow tp2 events carried in ue_pr (JSON text) and ue_px (base64url), and their duplicates', async () => {
    const body = {
      schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
      data: [
        { e: 'ue', p: 'web', tv: 'js-4.10.1', aid: 'bench', ue_pr: unstruct(0), co: JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0', data: [] }) },
        { e: 'ue', p: 'web', ue_px: base64url(unstruct(1)), cx: base64url('{"schema":"x","data":[]}') },
        { e: 'ue', p: 'web', ue_px: base64url(unstruct(1)) },
      ],
    };
    const res = await fetch(sink.url + '/snowplow/com.snowplowanalytics.snowplow/tp2', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=UTF-8', Origin: 'http://127.0.0.1:1' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    // A credentialed CORS request: the answer names the origin and allows credentials.
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(sink.count('sp', 'snowplow')).toEqual({ unique: 2, duplicates: 1 });
    // Its network user ID cookie, as a Snowplow collector sets it, kept once the browser has it.
    const sp = /^sp=([\w-]+); /.exec(res.headers.get('set-cookie') || '')?.[1];
    expect(sp).toMatch(/^[0-9a-f-]{36}$/);
    const again = await fetch(sink.url + '/snowplow/com.snowplowanalytics.snowplow/tp2', { method: 'POST', headers: { Cookie: `_sp_id.1=x; sp=${sp}` }, body: '{}' });
    expect(again.headers.get('set-cookie')).toMatch(new RegExp(`^sp=${sp}; `));
  });

  it('counts a Snowplow GET (tp1 query string, ue_px)', async () => {
    const q = new URLSearchParams({ e: 'ue', p: 'web', ue_px: base64url(unstruct(7).replace('"bench_run":"sp"', '"bench_run":"sp-get"')) });
    const res = await fetch(`${sink.url}/snowplow/i?${q}`);
    expect(res.status).toBe(200);
    expect(sink.count('sp-get', 'snowplow')).toEqual({ unique: 1, duplicates: 0 });
  });
});
