import test from "node:test";
import assert from "node:assert/strict";
import {followPatch, patchMessage, patchBox, patchifyRow, patchView} from "../../src/mixerbook/widgets/patch_grid.js";

test("the chosen patch follows the same spot when P changes", () => {
  // centre patch of a 14x14 grid (P=16): pixels 112..127, centre (120, 120)
  assert.equal(followPatch(105, 16, 16, 224), 105);
  assert.equal(followPatch(105, 16, 32, 224), 3 * 7 + 3);
  assert.equal(followPatch(105, 16, 8, 224), 15 * 28 + 15);
  // a size that does not divide the side counts whole patches only
  assert.equal(followPatch(0, 16, 12, 224), 0);
  assert.equal(followPatch(195, 16, 12, 224), 18 * 18 - 1);
});

test("patch boxes, row-major", () => {
  assert.deepEqual(patchBox(0, 16, 224), [0, 0, 16, 16]);
  assert.deepEqual(patchBox(15, 16, 224), [16, 16, 32, 32]);
});

test("a row of patchify: channel first, then the patch's rows, then its columns", () => {
  const side = 4, channels = 2, p = 2;
  const pixels = Array.from({length: channels * side * side}, (_, i) => i);
  // patch 1 = rows 0-1, columns 2-3
  assert.deepEqual(patchifyRow(pixels, channels, side, p, 1), [2, 3, 6, 7, 18, 19, 22, 23]);
});

test("a P that does not divide the side gives a message naming the sizes that do", () => {
  const msg = patchMessage(224, 12, [8, 12, 14, 16, 28, 32, 56]);
  assert.match(msg, /224 = 18·12 \+ 8/);
  assert.match(msg, /Hãy chọn P trong 8, 14, 16, 28, 32, 56\./);
  assert.equal(patchMessage(224, 14, [14]), null);
  const view = patchView({patch_size: 12, hidden_dim: 768, highlight: 3},
                         {side: 224, channels: 3, options: [12, 16], pixels: new Uint8Array(3 * 224 * 224)});
  assert.deepEqual(view, {patch_size: 12, hidden_dim: 768, message: patchMessage(224, 12, [12, 16])});
});

test("the view: S, grid, the chosen patch and its row", () => {
  const pixels = new Uint8Array(3 * 8 * 8).fill(2);
  const view = patchView({patch_size: 4, hidden_dim: 5, highlight: 3}, {side: 8, channels: 3, options: [4], pixels});
  assert.deepEqual(view, {patch_size: 4, hidden_dim: 5, S: 4, grid: 2, highlight: 3, row: 1, col: 1,
                          box: [4, 4, 8, 8], row_values: 48, row_sum: 96});
});
