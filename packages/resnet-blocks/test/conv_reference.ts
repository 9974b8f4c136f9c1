// Test-only float64 reference for the conv blocks, written with plain loops (no tfjs), so the
// blocks are checked against an independent implementation: NHWC input, kernels [h, w, in, out],
// PyTorch-style symmetric zero padding floor(k/2), relu pre-activation, no norm.
export interface RefTensor {
  shape: number[];
  data: number[];
}
export interface RefLayer {
  kernel: RefTensor;
  bias: number[] | null;
  stride: number;
}

export function conv2d(x: RefTensor, l: RefLayer): RefTensor {
  const [n, h, w, c] = x.shape;
  const [kh, kw, cin, cout] = l.kernel.shape;
  if (cin !== c) throw new Error(`conv2d: channels ${c} vs kernel in ${cin}`);
  const p = Math.floor(kh / 2);
  const s = l.stride;
  const oh = Math.floor((h + 2 * p - kh) / s) + 1;
  const ow = Math.floor((w + 2 * p - kw) / s) + 1;
  const out = new Array(n * oh * ow * cout).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let acc = l.bias ? l.bias[o] : 0;
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const yi = i * s + di - p;
              const xj = j * s + dj - p;
              if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
              for (let q = 0; q < c; q++) {
                acc += x.data[((b * h + yi) * w + xj) * c + q] * l.kernel.data[((di * kw + dj) * cin + q) * cout + o];
              }
            }
          out[((b * oh + i) * ow + j) * cout + o] = acc;
        }
  return {shape: [n, oh, ow, cout], data: out};
}

const relu = (t: RefTensor): RefTensor => ({shape: t.shape, data: t.data.map((v) => Math.max(v, 0))});

/** y = s(x) + alpha * F(x), F = pre-activation chain of `layers`, s = projection of relu(x) or x. */
export function refBlock(x: RefTensor, layers: RefLayer[], shortcut: RefLayer | null, alpha: number): RefTensor {
  let h = x;
  let sc = x;
  layers.forEach((l, i) => {
    h = relu(h);
    if (i === 0 && shortcut) sc = conv2d(h, shortcut);
    h = conv2d(h, l);
  });
  return {shape: h.shape, data: h.data.map((v, i) => sc.data[i] + alpha * v)};
}
