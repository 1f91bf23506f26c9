/**
 * A typed value codec for one header extension. `parse` throws ParseError on
 * a malformed value; `serialize` throws Error on an invalid value.
 */
export interface RtpExtensionCodec<T> {
  parse(data: Buffer): T;
  serialize(value: T): Buffer;
}
