// gzip through the runtime's CompressionStream (browsers, Node 18+). JSON batches shrink
// 5-10x; small bodies are not worth the async hop. Returns null when gzip is unavailable.
export const GZIP_MIN_BYTES = 1024;

export async function gzip(text: string): Promise<Uint8Array | null> {
  try {
    // Runtimes without CompressionStream, Blob or Response (mini-programs) throw a
    // ReferenceError here: the same answer, null, without a feature test per global.
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}
