// Per-event validation. A batch is judged event by event so one malformed event never
// sinks its good neighbours: the caller stores the good ones and lists the others in
// the 2xx answer as `rejected` (SPEC §5).

/** Largest serialized event kept (Segment uses the same order of magnitude). */
export const MAX_EVENT_BYTES = 32 * 1024;
const MAX_ID_LENGTH = 256;
const TYPES = new Set(['track', 'page', 'screen', 'identify', 'alias', 'group']);

/** The columns the store indexes, pulled out of a valid event once. */
export interface ValidEvent {
  raw: Record<string, unknown>;
  /** The event serialized once, reused for storage. */
  json: string;
  messageId: string;
  type: string;
  /** `event` for track, `name` for page/screen. */
  name: string | null;
  anonymousId: string | null;
  userId: string | null;
  /** Event time in ms (client clock); receive time when the event has none. */
  ts: number;
}

export type Verdict = { ok: true; event: ValidEvent } | { ok: false; messageId: string | null; reason: string };

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** Optional IDs may be absent or null, but when present must be proper IDs. */
function optionalId(value: unknown): boolean {
  return value === undefined || value === null || isId(value);
}

function refuse(messageId: string | null, reason: string): Verdict {
  return { ok: false, messageId, reason };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one event of a batch. `receivedAt` fills a missing timestamp. Any rule broken
 * gives a short reason that the SDK surfaces through its `failed` listener.
 */
export function validateEvent(input: unknown, receivedAt: number): Verdict {
  if (!isPlainObject(input)) return { ok: false, messageId: null, reason: 'event is not an object' };
  const e = input;
  const messageId = isId(e.messageId) ? e.messageId : null;
  // A plain function (not a closure per event): this runs for every event received.
  const fail = refuse.bind(null, messageId);

  if (!messageId) return fail('missing or invalid messageId');
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) return fail('unknown type');
  if (!optionalId(e.anonymousId)) return fail('invalid anonymousId');
  if (!optionalId(e.userId)) return fail('invalid userId');
  if (!e.anonymousId && !e.userId) return fail('anonymousId or userId required');
  if (e.properties !== undefined && !isPlainObject(e.properties)) return fail('properties must be an object');
  if (e.traits !== undefined && !isPlainObject(e.traits)) return fail('traits must be an object');
  if (e.context !== undefined && !isPlainObject(e.context)) return fail('context must be an object');

  let name: string | null = null;
  switch (e.type) {
    case 'track':
      if (typeof e.event !== 'string' || !e.event.trim()) return fail('track requires an event name');
      name = e.event;
      break;
    case 'page':
    case 'screen':
      name = typeof e.name === 'string' ? e.name : typeof e.event === 'string' ? e.event : null;
      break;
    case 'alias':
      // Segment's alias has a userId; Tutti's handoff alias may link two anonymousIds only.
      if (!isId(e.previousId)) return fail('alias requires previousId');
      break;
    case 'group':
      if (!isId(e.groupId)) return fail('group requires groupId');
      break;
  }

  let ts = receivedAt;
  if (e.timestamp === undefined || e.timestamp === null) {
    // Stored events always have a time; the receive time is the best we know.
    e.timestamp = new Date(receivedAt).toISOString();
  } else {
    ts = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    if (!Number.isFinite(ts)) return fail('invalid timestamp');
  }

  const json = JSON.stringify(e);
  if (Buffer.byteLength(json) > MAX_EVENT_BYTES) return fail(`event larger than ${MAX_EVENT_BYTES} bytes`);

  return {
    ok: true,
    event: {
      raw: e,
      json,
      messageId,
      type: e.type,
      name,
      anonymousId: (e.anonymousId as string) || null,
      userId: (e.userId as string) || null,
      ts,
    },
  };
}
