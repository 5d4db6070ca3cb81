/**
 * Reads a text/event-stream body block by block: each `event:` with its `data:` lines, and each comment
 * (keep-alive) block. Used by the benchmark's and the tests' SSE subscribers.
 */
export interface SseBlock {
  /** The `event:` field (`next`, `complete`), or undefined for a comment. */
  event?: string;
  data: string;
  comment: boolean;
}

export async function readSse(
  body: ReadableStream<Uint8Array>,
  onBlock: (block: SseBlock) => boolean | void,
  /** Awaited before each read: a test holds it to stop reading, as a slow client would. */
  beforeRead?: () => Promise<void> | undefined,
): Promise<void> {
  // Node's TextDecoderStream is typed for any BufferSource; the body gives Uint8Array chunks.
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let buffer = '';
  for (;;) {
    await beforeRead?.();
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const text = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const block: SseBlock = {
        event: /^event: (.*)$/m.exec(text)?.[1],
        data: text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n'),
        comment: text.startsWith(':'),
      };
      // Returning true stops reading (the stream completed).
      if (onBlock(block) === true) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  }
}
