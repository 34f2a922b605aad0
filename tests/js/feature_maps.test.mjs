import test from "node:test";
import assert from "node:assert/strict";
import {dequantise, round4, argmax, mapStats, blockOffsets, mapAt, mosaicColumns, region}
  from "../../src/mixerbook/widgets/feature_maps.js";

test("dequantise maps 0 to the min and 255 to the max", () => {
  const out = Array.from(dequantise(new Uint8Array([0, 255, 51]), -1, 4));
  assert.equal(out[0], -1);
  assert.ok(Math.abs(out[1] - 4) < 1e-12);
  assert.ok(Math.abs(out[2] - 0) < 1e-12);
});

test("round4 rounds halves up, like Math.round", () => {
  assert.equal(round4(1.23456), 1.2346);
  assert.equal(round4(-0.00004), -0);
  assert.equal(round4(2), 2);
});

test("argmax takes the first maximum", () => {
  assert.equal(argmax(new Uint8Array([3, 9, 9, 1])), 1);
  assert.equal(argmax(new Uint8Array([0, 0])), 0);
});

test("mapStats gives the brightest cell and the decoded range", () => {
  const q = new Uint8Array([0, 10, 20, 255, 30, 40]); // 2 x 3
  assert.deepEqual(mapStats(q, 2, 3, 0.5, 1.5), {argmax: [1, 0], min: 0.5, max: 1.5});
  assert.throws(() => mapStats(q, 2, 2, 0, 1), /needs 4 values/);
});

test("blockOffsets and mapAt walk layer blocks of (N, C, H, W) and (N, C, 2)", () => {
  const shapes = [[2, 2, 2], [3, 1, 1]];
  const n = 2;
  assert.deepEqual(blockOffsets(shapes, n), [{maps: 0, ranges: 0}, {maps: 16, ranges: 8}]);
  const maps = Uint8Array.from({length: 16 + 6}, (_, i) => i);
  const ranges = Float32Array.from({length: 8 + 12}, (_, i) => i);
  const m = mapAt(maps, ranges, shapes, n, 1, 1, 2); // image 1, channel 2 of layer 1
  assert.deepEqual(Array.from(m.q), [16 + 5]);
  assert.deepEqual([m.lo, m.hi, m.height, m.width], [8 + 10, 8 + 11, 1, 1]);
  const first = mapAt(maps, ranges, shapes, n, 0, 1, 0);
  assert.deepEqual(Array.from(first.q), [8, 9, 10, 11]);
  assert.throws(() => mapAt(maps, ranges, shapes, n, 1, 0, 3), /channel 3 of 3/);
});

test("the mosaic is about twice as wide as high", () => {
  assert.equal(mosaicColumns(16), 6);
  assert.equal(mosaicColumns(32), 8);
  assert.equal(mosaicColumns(1), 1);
  assert.equal(mosaicColumns(2), 2);
});

test("region names thirds of the map symmetrically", () => {
  assert.equal(region(3, 3, 7, 7), "ở chính giữa");
  assert.equal(region(0, 6, 7, 7), "phía trên, bên phải");
  assert.equal(region(6, 0, 7, 7), "phía dưới, bên trái");
  assert.equal(region(0, 3, 7, 7), "phía trên, chính giữa");
});
