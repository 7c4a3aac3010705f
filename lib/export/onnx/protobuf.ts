/**
 * The protobuf wire format, writer side only: what lib/export/onnx/messages.ts needs to emit ONNX's messages.
 *
 * Why our own (~120 lines) and not a library: ONNX export needs nine messages and three wire types (varint,
 * fixed32, length-delimited). A library for that (protobufjs, or @bufbuild/protobuf plus code generated from
 * onnx.proto) would add a runtime dependency and a code-generation step for a write-only path; onnx-proto's schema
 * is old and pulls in protobufjs 6. Reference: https://protobuf.dev/programming-guides/encoding/.
 *
 * A message is built child-first: each nested message is finished into bytes, then written as a length-delimited
 * field of its parent (the length must be known before the bytes), so no back-patching is needed.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(256);
  private pos = 0;
  private flushed = 0;

  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.flushed += this.pos;
    this.cur = new Uint8Array(Math.max(256, n, this.cur.length * 2));
    this.pos = 0;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushed + this.pos;
  }

  private byte(b: number): void {
    this.room(1);
    this.cur[this.pos++] = b;
  }

  /**
   * An unsigned varint of a non-negative safe integer (lengths, tags, enum values), 7 bits a byte, low first.
   * Division, not >>>, so values above 2^32 (a raw_data field of 5 GB) stay exact.
   */
  private uvarint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /**
   * An int64 as a varint: protobuf writes a negative int64 as its 64-bit two's complement, always 10 bytes
   * (axis = -1 is ff ff ff ff ff ff ff ff ff 01). No zigzag: that is sint64, which ONNX does not use.
   */
  private int64(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`int64 field value ${v} is not a safe integer`);
    if (v >= 0) return this.uvarint(v);
    let u = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 9; i++) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));  // the tenth byte holds the top bit: 1
  }

  private tag(field: number, wire: number): void {
    this.uvarint(field * 8 + wire);
  }

  /** int64 / int32 / enum field (int32 negatives are sign-extended to 64 bits too, as protobuf requires). */
  int(field: number, v: number): this {
    this.tag(field, WIRE_VARINT);
    this.int64(v);
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    this.room(4);
    new DataView(this.cur.buffer, this.cur.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    return this;
  }

  /** bytes field, or a finished nested message. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.uvarint(b.length);
    this.room(b.length);
    this.cur.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Every element of a repeated int64 field, unpacked (one tag each: what onnx's own serializer writes for dims). */
  ints(field: number, vs: readonly number[]): this {
    for (const v of vs) this.int(field, v);
    return this;
  }

  /** The message's bytes (one copy). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    out.set(this.cur.subarray(0, this.pos), at);
    return out;
  }
}
