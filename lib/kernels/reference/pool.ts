/**
 * Pure-TS twin of 2-D pooling over NHWC float32 tensors (native/src/kernels/pool/pool.h), the loops of
 * tfjs-backend-cpu's MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad with the channel innermost:
 *   maxPool      y = the first value strictly greater than every earlier one in row-major window order, from
 *                -Infinity (NaN never selected; an empty or all-NaN window gives -Infinity)
 *   maxPoolGrad  dx = each window's dy routed to its maximum's position (none for a -Infinity window), summed in
 *                double in output order, rounded once
 *   avgPool      y = the in-bounds values summed in double in row-major window order, divided by their count
 *                (an empty window gives 0/0 = NaN)
 *   avgPoolGrad  dx = every in-bounds position of a window gets dy, summed in double in output order, times
 *                1/(filterHeight*filterWidth) (the FULL window size, as tfjs divides), rounded once
 * Windows are clipped to the input: padding is never a candidate and never counted. The native kernels give these
 * results bit for bit, except that the addon's FTZ/DAZ guard flushes subnormal inputs and results (here they stay).
 */

/** Pooling geometry, all sizes in elements (backend_util.computePool2DInfo's fields; padding before the data). */
export interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** The window's first strict maximum (into y when given) and its position wr*filterWidth + wc, -1 for none. */
function scan(g: PoolGeometry, x: Float32Array, y: Float32Array | null, pos: Int32Array | null): void {
  const { batch: B, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW, padTop: top, padLeft: left } = g;
  const best = new Float64Array(C), at = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
      for (let ox = 0; ox < OW; ox++, o += C) {
        const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const src = ((b * H + r) * W + col) * C, p = (r - r0) * FW + (col - c0);
            for (let c = 0; c < C; c++) {
              const v = x[src + c];
              if (v > best[c]) { best[c] = v; at[c] = p; }
            }
          }
        }
        if (y !== null) for (let c = 0; c < C; c++) y[o + c] = best[c];
        if (pos !== null) for (let c = 0; c < C; c++) pos[o + c] = at[c];
      }
    }
  }
}

const outSize = (g: PoolGeometry) => g.batch * g.outHeight * g.outWidth * g.channels;
const inSize = (g: PoolGeometry) => g.batch * g.inHeight * g.inWidth * g.channels;

export function maxPool(g: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  if (outSize(g) > 0) scan(g, x, y, null);
  return y;
}

export function maxPoolGrad(g: PoolGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  const n = inSize(g);
  if (n === 0) return dx;
  const { inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, filterWidth: FW, strideHeight: SH,
    strideWidth: SW, padTop: top, padLeft: left } = g;
  const acc = new Float64Array(n);
  if (outSize(g) > 0) {
    const pos = new Int32Array(outSize(g));
    scan(g, x, null, pos);
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++, o += C) {
          for (let c = 0; c < C; c++) {
            const p = pos[o + c];
            if (p < 0) continue;
            const r = oy * SH - top + Math.floor(p / FW), col = ox * SW - left + (p % FW);
            acc[((b * H + r) * W + col) * C + c] += dy[o + c];
          }
        }
      }
    }
  }
  for (let i = 0; i < n; i++) dx[i] = acc[i];
  return dx;
}

export function avgPool(g: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  if (outSize(g) === 0) return y;
  const { batch: B, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW, padTop: top, padLeft: left } = g;
  const acc = new Float64Array(C);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
      for (let ox = 0; ox < OW; ox++, o += C) {
        const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
        acc.fill(0);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const src = ((b * H + r) * W + col) * C;
            for (let c = 0; c < C; c++) acc[c] += x[src + c];
          }
        }
        const count = Math.max(0, rMax - rMin) * Math.max(0, cMax - cMin);
        for (let c = 0; c < C; c++) y[o + c] = acc[c] / count;
      }
    }
  }
  return y;
}

export function avgPoolGrad(g: PoolGeometry, dy: Float32Array, dx: Float32Array): Float32Array {
  const n = inSize(g);
  if (n === 0) return dx;
  const { batch: B, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW, padTop: top, padLeft: left } = g;
  const acc = new Float64Array(n);
  let o = 0;
  if (outSize(g) > 0) {
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
        for (let ox = 0; ox < OW; ox++, o += C) {
          const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
          for (let r = rMin; r < rMax; r++) {
            for (let col = cMin; col < cMax; col++) {
              const dst = ((b * H + r) * W + col) * C;
              for (let c = 0; c < C; c++) acc[dst + c] += dy[o + c];
            }
          }
        }
      }
    }
  }
  const scale = 1 / (FH * FW);
  for (let i = 0; i < n; i++) dx[i] = acc[i] * scale;
  return dx;
}
