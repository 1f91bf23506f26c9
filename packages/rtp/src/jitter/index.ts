export {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferEvents,
  type JitterFrame,
  type JitterCounter,
  type KeyframeRequestReason,
} from './jitterBuffer.js';
