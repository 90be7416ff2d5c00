// gzip through the runtime's CompressionStream (browsers, Node 18+). JSON batches shrink
// 5-10x; small bodies are not worth the async hop. Returns null when gzip is unavailable.
export const GZIP_MIN_BYTES = 1024;

export async function gzip(text: string): Promise<Uint8Array | null> {
  try {
    // Runtimes without CompressionStream or Response (mini-programs) throw a
    // ReferenceError here: the same answer, null, without a feature test per global.
    // The text is written to the stream directly: in Chromium, a Blob around it costs
    // the main thread about three times the compression itself.
    const stream = new CompressionStream('gzip');
    const writer = stream.writable.getWriter();
    writer.write(new TextEncoder().encode(text)).catch(() => undefined);
    writer.close().catch(() => undefined);
    return new Uint8Array(await new Response(stream.readable).arrayBuffer());
  } catch {
    return null;
  }
}
