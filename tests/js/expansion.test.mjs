import test from "node:test";
import assert from "node:assert/strict";
import {blockOrder, blockOfToken, expandTokenWeight, expansionView} from "../../src/mixerbook/widgets/expansion.js";

test("block order reads a 4x4 grid as 2x2 blocks of 2x2 tokens", () => {
  assert.deepEqual(blockOrder(2, 2), [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  assert.deepEqual(blockOrder(3, 1), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(blockOfToken(1, 2), [0, 1, 2, 3]);
});

test("bad factors and grids are refused", () => {
  assert.throws(() => blockOrder(2, 0), /factor must be a positive int/);
  assert.throws(() => blockOrder(0, 2), /grid_size must be a positive int/);
  assert.throws(() => expandTokenWeight([1, 2, 3], 1, 2, 2), /W1 must hold 1 x 4 values/);
});

test("K = 1 keeps W1; K = 2 copies it four times with a quarter of the entries nonzero", () => {
  const w = [1, 2, 3, 4, 5, 6, 7, 8]; // D = 2, g = 2
  assert.deepEqual(Array.from(expandTokenWeight(w, 2, 2, 1)), w);
  const big = expandTokenWeight(w, 2, 2, 2);
  assert.equal(big.length, 8 * 16);
  // hidden unit 0 of block 0 reads tokens 0, 1, 4, 5 (the top-left 2x2 block, raster order)
  assert.deepEqual(Array.from(big.slice(0, 16)), [1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const view = expansionView({factor: 2, block: 0}, big, 2, 2);
  assert.deepEqual(view.shape, [8, 16]);
  assert.equal(view.nonzero, 32);
  assert.deepEqual(view.row0, [0, 1, 4, 5]);
});
