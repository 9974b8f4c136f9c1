import * as tf from '@tensorflow/tfjs-core';
import {expectNoLeak} from '@stable-train/testing';
import {globToRegExp, selectParams} from './select_params';

// Masks are host-side name logic (no numerics): one backend is enough.
describe('selectParams', () => {
  const shapes: {[name: string]: number[]} = {
    'block1/conv1/kernel': [3, 3, 2, 4],
    'block1/conv1/bias': [4],
    'block1/bn1/gamma': [4],
    'block2/dense/kernel': [4, 2],
    'head/kernel': [2, 2],
    'head/bias': [2],
  };
  let params: tf.NamedTensorMap;
  beforeAll(() => {
    params = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, tf.zeros(s)]));
  });
  afterAll(() => tf.dispose(Object.values(params)));
  const all = Object.keys(shapes);

  it('selects everything without a mask or with {}', () => {
    expect(selectParams(params, undefined)).toEqual(all);
    expect(selectParams(params, {})).toEqual(all);
  });

  it('`*` stays inside one segment, `**` crosses segments', () => {
    expect(selectParams(params, {include: '*/kernel'})).toEqual(['head/kernel']);
    expect(selectParams(params, {include: '**/kernel'})).toEqual(['block1/conv1/kernel', 'block2/dense/kernel', 'head/kernel']);
    expect(selectParams(params, {include: 'block*/**'})).toEqual(all.slice(0, 4));
    expect(selectParams(params, {include: 'block?/*/bias'})).toEqual(['block1/conv1/bias']);
  });

  it('`**/` also matches zero segments and globs match whole names', () => {
    const re = globToRegExp('**/bias');
    expect(re.test('bias')).toBe(true);
    expect(re.test('a/b/bias')).toBe(true);
    expect(re.test('a/b/bias2')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false); // '.' is literal
    expect(globToRegExp('kernel').test('head/kernel')).toBe(false);
  });

  it('include minus exclude, mixing globs and predicates', () => {
    const names = selectParams(params, {
      include: ['block1/**', 'head/*'],
      exclude: ['**/bias', (_n, t) => t.rank === 1],
    });
    expect(names).toEqual(['block1/conv1/kernel', 'head/kernel']);
    expect(selectParams(params, {exclude: (n) => n.startsWith('block')})).toEqual(['head/kernel', 'head/bias']);
  });

  it('predicates may match nothing', () => {
    expect(selectParams(params, {exclude: () => false})).toEqual(all);
  });

  it('a glob that matches nothing fails and lists the names', () => {
    expect(() => selectParams(params, {include: 'blok*/**'}, 'myFn')).toThrow(
      "myFn: mask.include glob must match at least one parameter name (block1/conv1/kernel, block1/conv1/bias, block1/bn1/gamma, block2/dense/kernel, head/kernel, head/bias), got \"blok*/**\"",
    );
    expect(() => selectParams(params, {exclude: ['**/bias', 'head/gama']})).toThrow(
      "selectParams: mask.exclude[1] glob must match at least one parameter name (block1/conv1/kernel, block1/conv1/bias, block1/bn1/gamma, block2/dense/kernel, head/kernel, head/bias), got \"head/gama\"",
    );
  });

  it('bad masks fail clearly', () => {
    expect(() => selectParams(params, {excludes: '**'} as never)).toThrow("selectParams: unknown option 'excludes' in mask");
    expect(() => selectParams(params, {include: 3} as never)).toThrow(
      'selectParams: mask.include must be a glob string or a predicate (name, tensor) => boolean, got 3',
    );
    expect(() => selectParams(params, {include: ['']})).toThrow("selectParams: mask.include[0] must be a non-empty glob, got ''");
    expect(() => selectParams(params, {include: () => 1} as never)).toThrow(
      "selectParams: mask.include predicate must return a boolean, got 1 for \"block1/conv1/kernel\"",
    );
    expect(() => selectParams(params, 'head/*' as never)).toThrow("selectParams: mask must be an object, got \"head/*\"");
  });

  it('makes no tensors', async () => {
    await expectNoLeak(() => selectParams(params, {include: '**', exclude: (_n, t) => t.rank < 2}));
  });
});
