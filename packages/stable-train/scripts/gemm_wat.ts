// Generates the WebAssembly text (WAT) of stable-train's float32 GEMM kernel. The compiled bytes
// live in src/backends/gemm_wasm_bytes.ts (`npm run build:wasm` rewrites them; a test checks they
// match this generator). Runtime code never imports this file.
//
// What the kernel computes, for one block of columns [j0, j1) of C (m×n):
//
//   C[i, j] = clamp(bias[j] + Σ_{p=0}^{k-1} A[i, p]·B[p, j], lo, hi)
//
// with A(i, p) at a + 4·(i·ars + p·aks), B(p, j) at b + 4·(p·bks + j·bjs), C(i, j) at
// c + 4·(i·crs + j) — so a transposed operand is just other strides, no copy. The sum over p runs
// in increasing p with one float32 accumulator per C element (f32 multiply, then f32 add, as
// `Math.fround(s + Math.fround(a·b))`), so the result does not depend on how the columns are split
// among threads: 1 and N threads give the same bits.
//
// Layout of the work (the "loadsplat" GEMM of XNNPACK's WebAssembly SIMD kernels, written anew):
//   for each strip of 8 columns: copy B[:, j..j+8) into a scratch buffer of k rows × 8 floats
//     (one pass; the strip is then read contiguously from L1 cache instead of with a stride of
//     n floats, which maps every row to the same few cache sets);
//     for each block of MR = 4 rows: 8 accumulators (4 rows × two f32x4) over p = 0..k-1:
//       b0, b1 = the strip's row p; for each row r: acc[r] += splat(A[i+r, p]) · (b0, b1)
//     the 1-3 rows left over run the same loop with fewer rows;
//   columns left over (n mod 8) run as one more strip padded with zeros, through a small buffer.
// MR = 4 beat 6 (the 6×8 tile spills registers in V8): 30 vs 22 GFLOP/s on [128×784]·[784×512].

/** Largest row block of the micro-kernel. */
export const GEMM_MR = 4;

const g = (name: string) => `(local.get $${name})`;

/** The micro-kernel for `mr` rows × 8 columns, reading the packed strip at `bp` (8 floats per row). */
function micro(mr: number): string {
  const rows = Array.from({length: mr}, (_, r) => r);
  const o: string[] = [];
  o.push(`  (func $mk${mr} (param $ap i32) (param $bp i32) (param $cp i32) (param $biasp i32) (param $k i32)`);
  o.push(`      (param $ars i32) (param $aks i32) (param $crs i32) (param $lo f32) (param $hi f32)`);
  o.push(`    ${rows.map((r) => `(local $a${r} i32)`).join(' ')}`);
  o.push(`    ${rows.map((r) => `(local $c${r}0 v128) (local $c${r}1 v128)`).join(' ')}`);
  o.push(`    (local $b0 v128) (local $b1 v128) (local $av v128) (local $vlo v128) (local $vhi v128)`);
  o.push(`    (local.set $a0 ${g('ap')})`);
  for (let r = 1; r < mr; r++) o.push(`    (local.set $a${r} (i32.add ${g(`a${r - 1}`)} ${g('ars')}))`);
  o.push(`    (block $done (br_if $done (i32.eqz ${g('k')}))`);
  o.push(`      (loop $p`);
  o.push(`        (local.set $b0 (v128.load align=4 ${g('bp')}))`);
  o.push(`        (local.set $b1 (v128.load offset=16 align=4 ${g('bp')}))`);
  for (const r of rows) {
    o.push(`        (local.set $av (v128.load32_splat align=4 ${g(`a${r}`)}))`);
    o.push(`        (local.set $c${r}0 (f32x4.add ${g(`c${r}0`)} (f32x4.mul ${g('av')} ${g('b0')})))`);
    o.push(`        (local.set $c${r}1 (f32x4.add ${g(`c${r}1`)} (f32x4.mul ${g('av')} ${g('b1')})))`);
    o.push(`        (local.set $a${r} (i32.add ${g(`a${r}`)} ${g('aks')}))`);
  }
  o.push(`        (local.set $bp (i32.add ${g('bp')} (i32.const 32)))`);
  o.push(`        (br_if $p (local.tee $k (i32.sub ${g('k')} (i32.const 1))))))`);
  // epilogue: + bias (when given), then clamp to [lo, hi] (±Infinity: identity, NaN stays NaN)
  o.push(`    (if ${g('biasp')} (then`);
  o.push(`      (local.set $b0 (v128.load align=4 ${g('biasp')}))`);
  o.push(`      (local.set $b1 (v128.load offset=16 align=4 ${g('biasp')}))`);
  for (const r of rows) {
    o.push(`      (local.set $c${r}0 (f32x4.add ${g(`c${r}0`)} ${g('b0')})) (local.set $c${r}1 (f32x4.add ${g(`c${r}1`)} ${g('b1')}))`);
  }
  o.push(`    ))`);
  o.push(`    (local.set $vlo (f32x4.splat ${g('lo')})) (local.set $vhi (f32x4.splat ${g('hi')}))`);
  for (const r of rows) {
    o.push(`    (v128.store align=4 ${g('cp')} (f32x4.min (f32x4.max ${g(`c${r}0`)} ${g('vlo')}) ${g('vhi')}))`);
    o.push(`    (v128.store offset=16 align=4 ${g('cp')} (f32x4.min (f32x4.max ${g(`c${r}1`)} ${g('vlo')}) ${g('vhi')}))`);
    if (r < mr - 1) o.push(`    (local.set $cp (i32.add ${g('cp')} ${g('crs')}))`);
  }
  o.push(`  )`);
  return o.join('\n');
}

/** The exported driver: strips of 8 columns in [j0, j1), then the leftover columns one by one. */
function driver(): string {
  const o: string[] = [];
  const MR = GEMM_MR;
  o.push(`  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $bias i32)`);
  o.push(`      (param $m i32) (param $k i32) (param $ars i32) (param $aks i32) (param $bks i32) (param $bjs i32)`);
  o.push(`      (param $crs i32) (param $j0 i32) (param $j1 i32) (param $lo f32) (param $hi f32) (param $scr i32)`);
  o.push(`    (local $j i32) (local $i i32) (local $ars4 i32) (local $aks4 i32) (local $bks4 i32) (local $bjs4 i32)`);
  o.push(`    (local $crs4 i32) (local $bj i32) (local $biasj i32) (local $q i32) (local $e i32) (local $jj i32)`);
  o.push(`    (local $s f32) (local $jt i32) (local $t i32) (local $tmp i32) (local $mr i32) (local $r i32)`);
  o.push(`    (local.set $ars4 (i32.shl ${g('ars')} (i32.const 2))) (local.set $aks4 (i32.shl ${g('aks')} (i32.const 2)))`);
  o.push(`    (local.set $bks4 (i32.shl ${g('bks')} (i32.const 2))) (local.set $bjs4 (i32.shl ${g('bjs')} (i32.const 2)))`);
  o.push(`    (local.set $crs4 (i32.shl ${g('crs')} (i32.const 2)))`);
  o.push(`    (local.set $j ${g('j0')})`);
  o.push(`    (block $strips_done (loop $strips`);
  o.push(`      (br_if $strips_done (i32.gt_s (i32.add ${g('j')} (i32.const 8)) ${g('j1')}))`);
  // pack the strip B[:, j..j+8) into scr: k rows of 8 contiguous floats
  o.push(`      (local.set $bj (i32.add ${g('b')} (i32.mul ${g('j')} ${g('bjs4')})))`);
  o.push(`      (local.set $q ${g('scr')}) (local.set $e (i32.add ${g('scr')} (i32.shl ${g('k')} (i32.const 5))))`);
  o.push(`      (if (i32.eq ${g('bjs')} (i32.const 1)) (then`);
  o.push(`        (block $pd (br_if $pd (i32.eqz ${g('k')})) (loop $pl`);
  o.push(`          (v128.store align=4 ${g('q')} (v128.load align=4 ${g('bj')}))`);
  o.push(`          (v128.store offset=16 align=4 ${g('q')} (v128.load offset=16 align=4 ${g('bj')}))`);
  o.push(`          (local.set $bj (i32.add ${g('bj')} ${g('bks4')}))`);
  o.push(`          (br_if $pl (i32.lt_u (local.tee $q (i32.add ${g('q')} (i32.const 32))) ${g('e')}))))`);
  o.push(`      ) (else`);
  o.push(`        (block $pd2 (br_if $pd2 (i32.eqz ${g('k')})) (loop $pl2`);
  o.push(`          (local.set $jj ${g('bj')})`);
  for (let t = 0; t < 8; t++) {
    o.push(`          (f32.store offset=${4 * t} align=4 ${g('q')} (f32.load align=4 ${g('jj')}))` + (t < 7 ? ` (local.set $jj (i32.add ${g('jj')} ${g('bjs4')}))` : ''));
  }
  o.push(`          (local.set $bj (i32.add ${g('bj')} ${g('bks4')}))`);
  o.push(`          (br_if $pl2 (i32.lt_u (local.tee $q (i32.add ${g('q')} (i32.const 32))) ${g('e')}))))`);
  o.push(`      ))`);
  o.push(`      (local.set $biasj (select (i32.add ${g('bias')} (i32.shl ${g('j')} (i32.const 2))) (i32.const 0) ${g('bias')}))`);
  const call = (mr: number) =>
    `(call $mk${mr} (i32.add ${g('a')} (i32.mul ${g('i')} ${g('ars4')})) ${g('scr')}` +
    ` (i32.add ${g('c')} (i32.shl (i32.add (i32.mul ${g('i')} ${g('crs')}) ${g('j')}) (i32.const 2)))` +
    ` ${g('biasj')} ${g('k')} ${g('ars4')} ${g('aks4')} ${g('crs4')} ${g('lo')} ${g('hi')})`;
  o.push(`      (local.set $i (i32.const 0))`);
  o.push(`      (block $rows_done (loop $rows`);
  o.push(`        (br_if $rows_done (i32.gt_s (i32.add ${g('i')} (i32.const ${MR})) ${g('m')}))`);
  o.push(`        ${call(MR)}`);
  o.push(`        (local.set $i (i32.add ${g('i')} (i32.const ${MR})))`);
  o.push(`        (br $rows)))`);
  for (let mr = MR - 1; mr >= 1; mr--) o.push(`      (if (i32.eq (i32.sub ${g('m')} ${g('i')}) (i32.const ${mr})) (then ${call(mr)}))`);
  o.push(`      (local.set $j (i32.add ${g('j')} (i32.const 8)))`);
  o.push(`      (br $strips)))`);
  // leftover columns (jt = j1 - j < 8): the strip is packed with zeros past column j1, the row
  // kernels write 8-wide rows into a small buffer after the strip (bias 0, no clamp), and the jt
  // valid columns are copied out with bias and clamp: the same sums, in the same order.
  o.push(`    (if (i32.lt_s ${g('j')} ${g('j1')}) (then`);
  o.push(`      (local.set $jt (i32.sub ${g('j1')} ${g('j')}))`);
  o.push(`      (local.set $bj (i32.add ${g('b')} (i32.mul ${g('j')} ${g('bjs4')})))`);
  o.push(`      (local.set $q ${g('scr')}) (local.set $e (i32.add ${g('scr')} (i32.shl ${g('k')} (i32.const 5))))`);
  o.push(`      (block $td (br_if $td (i32.eqz ${g('k')})) (loop $tl`);
  o.push(`        (local.set $jj ${g('bj')}) (local.set $t (i32.const 0))`);
  o.push(`        (loop $tc`);
  o.push(`          (if (i32.lt_u ${g('t')} ${g('jt')})`);
  o.push(`            (then (f32.store align=4 (i32.add ${g('q')} (i32.shl ${g('t')} (i32.const 2))) (f32.load align=4 ${g('jj')})))`);
  o.push(`            (else (f32.store align=4 (i32.add ${g('q')} (i32.shl ${g('t')} (i32.const 2))) (f32.const 0))))`);
  o.push(`          (local.set $jj (i32.add ${g('jj')} ${g('bjs4')}))`);
  o.push(`          (br_if $tc (i32.lt_u (local.tee $t (i32.add ${g('t')} (i32.const 1))) (i32.const 8))))`);
  o.push(`        (local.set $bj (i32.add ${g('bj')} ${g('bks4')}))`);
  o.push(`        (br_if $tl (i32.lt_u (local.tee $q (i32.add ${g('q')} (i32.const 32))) ${g('e')}))))`);
  o.push(`      (local.set $tmp ${g('e')})`);
  const tcall = (mr: number) =>
    `(call $mk${mr} (i32.add ${g('a')} (i32.mul ${g('i')} ${g('ars4')})) ${g('scr')} ${g('tmp')} (i32.const 0) ${g('k')} ${g('ars4')} ${g('aks4')}` +
    ` (i32.const 32) (f32.const -inf) (f32.const inf))`;
  o.push(`      (local.set $i (i32.const 0))`);
  o.push(`      (block $tr_done (loop $tr`);
  o.push(`        (br_if $tr_done (i32.ge_s ${g('i')} ${g('m')}))`);
  o.push(`        (local.set $mr (i32.sub ${g('m')} ${g('i')}))`);
  o.push(`        (if (i32.ge_s ${g('mr')} (i32.const ${MR})) (then (local.set $mr (i32.const ${MR})) ${tcall(MR)})`);
  o.push(`          (else ${Array.from({length: MR - 1}, (_, x) => MR - 1 - x).map((mr) => `(if (i32.eq ${g('mr')} (i32.const ${mr})) (then ${tcall(mr)}))`).join(' ')}))`);
  // copy rows r < mr, columns t < jt
  o.push(`        (local.set $r (i32.const 0))`);
  o.push(`        (loop $cr`);
  o.push(`          (local.set $t (i32.const 0))`);
  o.push(`          (loop $cc`);
  o.push(`            (local.set $s (f32.load align=4 (i32.add ${g('tmp')} (i32.shl (i32.add (i32.shl ${g('r')} (i32.const 3)) ${g('t')}) (i32.const 2)))))`);
  o.push(`            (if ${g('bias')} (then (local.set $s (f32.add ${g('s')} (f32.load align=4 (i32.add ${g('bias')} (i32.shl (i32.add ${g('j')} ${g('t')}) (i32.const 2))))))))`);
  o.push(`            (f32.store align=4 (i32.add ${g('c')} (i32.shl (i32.add (i32.mul (i32.add ${g('i')} ${g('r')}) ${g('crs')}) (i32.add ${g('j')} ${g('t')})) (i32.const 2)))`);
  o.push(`              (f32.min (f32.max ${g('s')} ${g('lo')}) ${g('hi')}))`);
  o.push(`            (br_if $cc (i32.lt_u (local.tee $t (i32.add ${g('t')} (i32.const 1))) ${g('jt')})))`);
  o.push(`          (br_if $cr (i32.lt_u (local.tee $r (i32.add ${g('r')} (i32.const 1))) ${g('mr')})))`);
  o.push(`        (local.set $i (i32.add ${g('i')} (i32.const ${MR})))`);
  o.push(`        (br $tr)))`);
  o.push(`    ))`);
  o.push(`  )`);
  return o.join('\n');
}

/** Element-wise ops of the `ew` export: 0 add, 1 sub, 2 mul (IEEE float32, as XNNPACK's). */
const EW_OPS = ['add', 'sub', 'mul'];

/**
 * The exported element-wise kernel: for r < rows, j < cols,
 *   c[r·cols + j] = A(r, j) op B(r, j),  A(r, j) = a[r·ars + j·acs],  B(r, j) = b[r·brs + j·bcs]
 * with acs, bcs ∈ {0, 1} (0: one value per row, splat). Covers same-shape operands (one row),
 * a scalar operand, and a row vector broadcast over rows (a bias). One function per
 * (op, acs, bcs) keeps the inner loop free of branches.
 */
function elementwise(): string {
  const o: string[] = [];
  const combos: [number, number][] = [[1, 1], [1, 0], [0, 1]];
  for (let op = 0; op < EW_OPS.length; op++) {
    for (const [acs, bcs] of combos) {
      const name = `$ew_${EW_OPS[op]}_${acs}${bcs}`;
      const vload = (cs: number, ptr: string) => (cs ? `(v128.load align=4 ${g(ptr)})` : `(v128.load32_splat align=4 ${g(ptr)})`);
      o.push(`  (func ${name} (param $a i32) (param $b i32) (param $c i32) (param $rows i32) (param $cols i32) (param $ars4 i32) (param $brs4 i32)`);
      o.push(`    (local $r i32) (local $j i32) (local $pa i32) (local $pb i32) (local $pc i32)`);
      o.push(`    (local.set $pc ${g('c')})`);
      o.push(`    (block $rd (br_if $rd (i32.eqz ${g('rows')})) (loop $rl`);
      o.push(`      (local.set $pa ${g('a')}) (local.set $pb ${g('b')}) (local.set $j (i32.const 0))`);
      o.push(`      (block $vd (loop $vl`);
      o.push(`        (br_if $vd (i32.gt_s (i32.add ${g('j')} (i32.const 4)) ${g('cols')}))`);
      o.push(`        (v128.store align=4 ${g('pc')} (f32x4.${EW_OPS[op]} ${vload(acs, 'pa')} ${vload(bcs, 'pb')}))`);
      if (acs) o.push(`        (local.set $pa (i32.add ${g('pa')} (i32.const 16)))`);
      if (bcs) o.push(`        (local.set $pb (i32.add ${g('pb')} (i32.const 16)))`);
      o.push(`        (local.set $pc (i32.add ${g('pc')} (i32.const 16)))`);
      o.push(`        (local.set $j (i32.add ${g('j')} (i32.const 4)))`);
      o.push(`        (br $vl)))`);
      o.push(`      (block $sd (loop $sl`);
      o.push(`        (br_if $sd (i32.ge_s ${g('j')} ${g('cols')}))`);
      o.push(`        (f32.store align=4 ${g('pc')} (f32.${EW_OPS[op]} (f32.load align=4 ${g('pa')}) (f32.load align=4 ${g('pb')})))`);
      if (acs) o.push(`        (local.set $pa (i32.add ${g('pa')} (i32.const 4)))`);
      if (bcs) o.push(`        (local.set $pb (i32.add ${g('pb')} (i32.const 4)))`);
      o.push(`        (local.set $pc (i32.add ${g('pc')} (i32.const 4)))`);
      o.push(`        (local.set $j (i32.add ${g('j')} (i32.const 1)))`);
      o.push(`        (br $sl)))`);
      o.push(`      (local.set $a (i32.add ${g('a')} ${g('ars4')})) (local.set $b (i32.add ${g('b')} ${g('brs4')}))`);
      o.push(`      (br_if $rl (local.tee $rows (i32.sub ${g('rows')} (i32.const 1))))))`);
      o.push(`  )`);
    }
  }
  o.push(`  (func (export "ew") (param $op i32) (param $acs i32) (param $bcs i32) (param $a i32) (param $b i32) (param $c i32)`);
  o.push(`      (param $rows i32) (param $cols i32) (param $ars i32) (param $brs i32)`);
  o.push(`    (local $ars4 i32) (local $brs4 i32)`);
  o.push(`    (local.set $ars4 (i32.shl ${g('ars')} (i32.const 2))) (local.set $brs4 (i32.shl ${g('brs')} (i32.const 2)))`);
  for (let op = 0; op < EW_OPS.length; op++) {
    for (const [acs, bcs] of combos) {
      o.push(`    (if (i32.and (i32.eq ${g('op')} (i32.const ${op})) (i32.and (i32.eq ${g('acs')} (i32.const ${acs})) (i32.eq ${g('bcs')} (i32.const ${bcs}))))`);
      o.push(`      (then (call $ew_${EW_OPS[op]}_${acs}${bcs} ${g('a')} ${g('b')} ${g('c')} ${g('rows')} ${g('cols')} ${g('ars4')} ${g('brs4')}) (return)))`);
    }
  }
  o.push(`    (unreachable)`);
  o.push(`  )`);
  return o.join('\n');
}

/**
 * The exported im2col: rows [r0, r0 + rows) of the patch matrix of a 2-D convolution (NHWC input
 * x [N, H, W, C], filter KH×KW, strides SH/SW, dilations DH/DW, padding PT/PL before, output
 * OH×OW), written to dst as rows of KH·KW·C floats in (kh, kw, c) order — the row-major order of
 * a [KH, KW, C, Cout] filter, so that conv(x, f) = patches · f. Outside the input: zeros.
 */
function im2col(): string {
  const o: string[] = [];
  const P = ['x', 'dst', 'r0', 'rows', 'H', 'W', 'C', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'OH', 'OW'];
  o.push(`  (func (export "im2col") ${P.map((p) => `(param $${p} i32)`).join(' ')}`);
  o.push(`    (local $r i32) (local $end i32) (local $n i32) (local $rem i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)`);
  o.push(`    (local $ih i32) (local $iw i32) (local $c4 i32) (local $ohw i32)`);
  o.push(`    (local.set $c4 (i32.shl ${g('C')} (i32.const 2))) (local.set $ohw (i32.mul ${g('OH')} ${g('OW')}))`);
  o.push(`    (local.set $r ${g('r0')}) (local.set $end (i32.add ${g('r0')} ${g('rows')}))`);
  o.push(`    (block $rd (loop $rl`);
  o.push(`      (br_if $rd (i32.ge_u ${g('r')} ${g('end')}))`);
  o.push(`      (local.set $n (i32.div_u ${g('r')} ${g('ohw')})) (local.set $rem (i32.rem_u ${g('r')} ${g('ohw')}))`);
  o.push(`      (local.set $oh (i32.div_u ${g('rem')} ${g('OW')})) (local.set $ow (i32.rem_u ${g('rem')} ${g('OW')}))`);
  o.push(`      (local.set $kh (i32.const 0))`);
  o.push(`      (loop $hl`);
  o.push(`        (local.set $ih (i32.add (i32.sub (i32.mul ${g('oh')} ${g('SH')}) ${g('PT')}) (i32.mul ${g('kh')} ${g('DH')})))`);
  o.push(`        (local.set $kw (i32.const 0))`);
  o.push(`        (loop $wl`);
  o.push(`          (local.set $iw (i32.add (i32.sub (i32.mul ${g('ow')} ${g('SW')}) ${g('PL')}) (i32.mul ${g('kw')} ${g('DW')})))`);
  // unsigned compares also reject negative coordinates
  o.push(`          (if (i32.and (i32.lt_u ${g('ih')} ${g('H')}) (i32.lt_u ${g('iw')} ${g('W')}))`);
  o.push(`            (then (memory.copy ${g('dst')} (i32.add ${g('x')} (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul ${g('n')} ${g('H')}) ${g('ih')}) ${g('W')}) ${g('iw')}) ${g('C')}) (i32.const 2))) ${g('c4')}))`);
  o.push(`            (else (memory.fill ${g('dst')} (i32.const 0) ${g('c4')})))`);
  o.push(`          (local.set $dst (i32.add ${g('dst')} ${g('c4')}))`);
  o.push(`          (br_if $wl (i32.lt_u (local.tee $kw (i32.add ${g('kw')} (i32.const 1))) ${g('KW')})))`);
  o.push(`        (br_if $hl (i32.lt_u (local.tee $kh (i32.add ${g('kh')} (i32.const 1))) ${g('KH')})))`);
  o.push(`      (local.set $r (i32.add ${g('r')} (i32.const 1)))`);
  o.push(`      (br $rl)))`);
  o.push(`  )`);
  return o.join('\n');
}

/**
 * The kernel module's WAT. `shared: true` imports a shared memory (the threaded tfjs-backend-wasm
 * build's), so the same module can run in several threads on one heap.
 */
export function gemmWat(opts: {shared: boolean}): string {
  const memory = opts.shared ? '(memory 0 65536 shared)' : '(memory 0)';
  const parts = ['(module', `  (import "env" "memory" ${memory})`];
  for (let mr = 1; mr <= GEMM_MR; mr++) parts.push(micro(mr));
  parts.push(driver(), elementwise(), im2col(), ')');
  return parts.join('\n');
}
