/**
 * The operations chain (webrtc-pc §4.4.1.2 "chain an operation"): promise
 * returning methods run one at a time, in call order; each result is
 * delivered before the next operation starts; once the chain empties the
 * negotiation-needed flag may be updated. When the connection closes,
 * pending promises never settle (the spec's "abort these steps").
 */
import { invalidState } from '../base/errors.js';

export class OperationsChain {
  #ops: (() => void)[] = [];

  constructor(
    private readonly isClosed: () => boolean,
    private readonly onEmpty: () => void,
  ) {}

  get length(): number {
    return this.#ops.length;
  }

  chain<T>(operation: () => Promise<T>): Promise<T> {
    if (this.isClosed()) return Promise.reject(invalidState('the RTCPeerConnection is closed'));
    let outer!: Promise<T>;
    outer = new Promise<T>((resolve, reject) => {
      const run = () => {
        let p: Promise<T>;
        try {
          p = operation();
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(
          (value) => {
            if (this.isClosed()) return;
            resolve(value);
            // The next operation starts once the caller's reactions to p have been queued.
            outer.then(this.#advance, this.#advance);
          },
          (err: unknown) => {
            if (this.isClosed()) return;
            reject(err);
            outer.then(this.#advance, this.#advance);
          },
        );
      };
      this.#ops.push(run);
      if (this.#ops.length === 1) run();
    });
    return outer;
  }

  #advance = (): void => {
    if (!this.isClosed()) this.#next();
  };

  #next(): void {
    this.#ops.shift();
    const head = this.#ops[0];
    if (head) head();
    else this.onEmpty();
  }
}
