// gzip through the runtime's CompressionStream (browsers, Node 18+). JSON batches shrink
// 5-10x; small bodies are not worth the async hop. Returns null when gzip is unavailable.
export const GZIP_MIN_BYTES = 1024;

export async function gzip(text: string): Promise<Uint8Array | null> {
  try {
    // Runtimes without CompressionStream or TextEncoder (mini-programs) throw a
    // ReferenceError here: the same answer, null, without a feature test per global.
    // Written and read directly: in Chromium, a Blob or Response around the stream
    // costs the main thread several times the compression itself.
    const stream = new CompressionStream('gzip');
    const writer = stream.writable.getWriter();
    writer.write(new TextEncoder().encode(text)).catch(() => undefined);
    writer.close().catch(() => undefined);
    const reader = stream.readable.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  } catch {
    return null;
  }
}
