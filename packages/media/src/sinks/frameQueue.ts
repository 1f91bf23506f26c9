import type { ReceivedFrame } from './receivedFrame.js';

/**
 * The async-iterator side of EncodedFrameReader: a bounded FIFO of frames. A consumer slower than
 * the stream loses the oldest frames (counted by the reader), never memory without bound.
 */
export class FrameQueue implements AsyncIterator<ReceivedFrame> {
  private readonly frames: ReceivedFrame[] = [];
  private waiter: ((r: IteratorResult<ReceivedFrame>) => void) | undefined;
  private ended = false;

  constructor(
    private readonly max: number,
    private readonly onDrop: () => void,
    private readonly onDone: () => void,
  ) {}

  push(frame: ReceivedFrame): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: frame, done: false });
      return;
    }
    if (this.frames.length >= this.max) {
      this.frames.shift();
      this.onDrop();
    }
    this.frames.push(frame);
  }

  /** No more frames: pending and later next() calls finish once the queue is drained. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onDone();
    if (this.waiter && this.frames.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<ReceivedFrame>> {
    const f = this.frames.shift();
    if (f) return Promise.resolve({ value: f, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('EncodedFrameReader iterator: next() called again before the previous call resolved'));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** `break` out of a for-await loop: stop queueing for this iterator. */
  return(): Promise<IteratorResult<ReceivedFrame>> {
    this.frames.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }
}
