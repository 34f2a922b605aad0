import test from "node:test";
import assert from "node:assert/strict";
import {neighbours, flattenView} from "../../src/mixerbook/widgets/flatten.js";

test("a corner has 3 neighbours with diagonals, 2 without", () => {
  assert.deepEqual(neighbours(0, 0, 3, 3, true), [[1, 0], [0, 1], [1, 1]]);
  assert.deepEqual(neighbours(0, 0, 3, 3, false), [[1, 0], [0, 1]]);
});

test("pixels outside the grid are refused", () => {
  assert.throws(() => neighbours(3, 0, 3, 3), /outside a 3x3 grid/);
});

test("neighbours above and below lie exactly W apart in the flat vector", () => {
  const view = flattenView({height: 5, width: 7, row: 2, col: 3, diagonal: false});
  assert.equal(view.focus, 17);
  assert.deepEqual(view.flat, [10, 16, 18, 24]);
  assert.equal(view.farthest, 7);
});
