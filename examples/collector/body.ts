// Reading request bodies: size limit, decompression, and always reading to the end.
// Browsers count an in-flight `keepalive` request against a 64 KB budget until its
// answer is consumed, so the collector answers every request, errors included, only
// after the body has been read, with a small body of its own.
import type { IncomingMessage } from 'node:http';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { InputType, ZlibOptions } from 'node:zlib';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this, an oversized upload is cut off instead of drained. */
const DRAIN_CAP = 64 * MAX_BODY_BYTES;

export type BodyResult =
  | { ok: true; text: string; bytes: number; encoding: string | null }
  | { ok: false; status: number; reason: string; bytes: number; encoding: string | null };

type Inflate = (buf: InputType, options: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;
const DECODERS: Record<string, { fn: Inflate; name: string }> = {
  gzip: { fn: gunzip, name: 'gzip' },
  'x-gzip': { fn: gunzip, name: 'gzip' },
  deflate: { fn: inflate, name: 'deflate' },
  br: { fn: brotliDecompress as unknown as Inflate, name: 'brotli' },
};

function decompress(fn: Inflate, buf: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => fn(buf, { maxOutputLength: limit }, (err, out) => (err ? reject(err) : resolve(out))));
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const header = req.headers['content-encoding'];
  const encoding = header ? header.trim().toLowerCase() : null;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = Number(req.headers['content-length']) > limit;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (bytes > DRAIN_CAP) req.destroy();
    });
    req.on('error', () => resolve({ ok: false, status: 400, reason: 'request aborted', bytes, encoding }));
    req.on('end', () => {
      const fail = (status: number, reason: string) => resolve({ ok: false, status, reason, bytes, encoding });
      if (tooLarge) return fail(413, `body over ${limit} bytes`);
      const raw = Buffer.concat(chunks, bytes);
      let decoder = encoding && encoding !== 'identity' ? DECODERS[encoding] : undefined;
      if (encoding && encoding !== 'identity' && !decoder) return fail(415, `unsupported content-encoding ${encoding}`);
      // sendBeacon cannot set Content-Encoding; a gzip magic number is unambiguous (JSON never starts with 0x1f).
      if (!decoder && raw[0] === 0x1f && raw[1] === 0x8b) decoder = DECODERS.gzip;
      if (!decoder) return resolve({ ok: true, text: stripBom(raw.toString('utf8')), bytes, encoding });
      decompress(decoder.fn, raw, limit).then(
        (out) => resolve({ ok: true, text: stripBom(out.toString('utf8')), bytes, encoding }),
        (err: NodeJS.ErrnoException) =>
          err.code === 'ERR_BUFFER_TOO_LARGE'
            ? fail(413, `body over ${limit} bytes after decompression`)
            : fail(400, `malformed ${decoder!.name} body`),
      );
    });
  });
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
