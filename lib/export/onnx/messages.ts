/**
 * The ONNX messages toOnnx writes, with their field numbers from onnx/onnx.proto (proto2; IR version 7 and up):
 * ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
 * TypeProto.Tensor, TensorShapeProto(.Dimension). Only the fields simdnet's graphs use.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType.FLOAT */
export const FLOAT = 1;
/** AttributeProto.AttributeType */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

export type Attribute = { name: string; float: number } | { name: string; int: number };

export interface Node {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

/** A float32 initializer: stored as raw_data (little-endian), 4 bytes per element. */
export interface Initializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

/** A graph input or output: float tensor, each dimension a size or a symbolic name ('batch'). */
export interface ValueInfo {
  name: string;
  dims: (number | string)[];
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface Model {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: Graph;
}

function attribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('float' in a) w.float(2, a.float).int(20, ATTR_FLOAT);
  else w.int(3, a.int).int(20, ATTR_INT);
  return w;
}

function node(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

function littleEndian(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i], true);
  return out;
}

function tensor(t: Initializer): ProtoWriter {
  if (t.values.length !== t.dims.reduce((a, d) => a * d, 1)) throw new RangeError(`initializer ${t.name}: ${t.values.length} values for dims [${t.dims}]`);
  return new ProtoWriter().ints(1, t.dims).int(2, FLOAT).string(8, t.name).bytes(9, littleEndian(t.values));
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  for (const i of g.inputs) w.message(11, valueInfo(i));
  for (const o of g.outputs) w.message(12, valueInfo(o));
  return w;
}

export function encodeModel(m: Model): Uint8Array {
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, graph(m.graph));
  // The default domain ('' = ai.onnx): domain left unset.
  w.message(8, new ProtoWriter().int(2, m.opset));
  return w.finish();
}
