import {describeBackends, loadGolden} from '@stable-train/testing';
import {computeFans} from './index';

// Host integer math (no tensors); run under both backends to keep the project's convention.
describeBackends(['cpu', 'wasm'], () => {
  it('matches the fans of every shape in initializers.json (PyTorch _calculate_fan_in_and_fan_out)', () => {
    const shapes = loadGolden('initializers').shapes;
    expect(shapes.length).toBe(7);
    for (const s of shapes) {
      expect(computeFans(s.tf_shape)).toEqual({fanIn: s.fan_in, fanOut: s.fan_out, receptiveField: s.receptive_field});
      expect([s.fan_in, s.fan_out]).toEqual(s.torch_calculate_fan_in_and_fan_out);
    }
  });

  it('handles conv1d/conv3d layouts and Keras-style rank 0/1', () => {
    expect(computeFans([5, 8, 16])).toEqual({fanIn: 40, fanOut: 80, receptiveField: 5}); // conv1d [w, in, out]
    expect(computeFans([2, 3, 3, 4, 6])).toEqual({fanIn: 72, fanOut: 108, receptiveField: 18}); // conv3d
    expect(computeFans([7])).toEqual({fanIn: 7, fanOut: 7, receptiveField: 1}); // Keras compute_fans
    expect(computeFans([])).toEqual({fanIn: 1, fanOut: 1, receptiveField: 1});
  });

  it('rejects a shape with a zero, a fraction or a non-array', () => {
    expect(() => computeFans([3, 0])).toThrow('computeFans: shape must be an array of positive integers, got [3, 0]');
    expect(() => computeFans([3, 1.5])).toThrow(/got \[3, 1.5\]/);
    expect(() => computeFans('3x3' as never)).toThrow(/got "3x3"/);
  });
});
