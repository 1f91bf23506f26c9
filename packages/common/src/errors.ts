/**
 * Thrown by parsers when input bytes do not form a valid message.
 * Socket handlers catch it, count the drop and carry on: a malformed packet
 * from the network must never escape a handler.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(message: string) {
    super(message);
  }
}
