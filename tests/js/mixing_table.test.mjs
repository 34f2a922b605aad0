import test from "node:test";
import assert from "node:assert/strict";
import {mixingSources, maskSpan, stepSources, mixingView, mixingAlt} from "../../src/mixerbook/widgets/mixing_table.js";

test("token-mixing reads a column, channel-mixing a row, the block everything", () => {
  assert.deepEqual(mixingSources(2, 3, 1, 2, "token"), [[false, false, true], [false, false, true]]);
  assert.deepEqual(mixingSources(2, 3, 1, 2, "channel"), [[false, false, false], [true, true, true]]);
  assert.deepEqual(mixingSources(2, 2, 0, 0, "block"), [[true, true], [true, true]]);
});

test("cells outside the table and unknown steps are refused", () => {
  assert.throws(() => mixingSources(4, 3, 4, 0, "token"), /outside a 4x3 table/);
  assert.throws(() => mixingSources(4, 3, 0, 0, "input"), /Unknown step/);
  assert.throws(() => stepSources(4, 3, 0, 0, "block"), /Unknown step/);
});

test("the input step marks nothing; the channel step marks a row of U and all of X", () => {
  assert.deepEqual(stepSources(4, 3, 1, 2, "input"), {});
  assert.deepEqual(stepSources(4, 3, 1, 2, "token"), {X: {rows: [0, 1, 2, 3], cols: [2]}});
  assert.deepEqual(stepSources(4, 3, 1, 2, "channel"),
    {U: {rows: [1], cols: [0, 1, 2]}, X: {rows: [0, 1, 2, 3], cols: [0, 1, 2]}});
  assert.deepEqual(maskSpan([[false, true], [false, false]]), {rows: [0], cols: [1]});
});

test("the value is read from the table at the chosen step", () => {
  const tables = new Float32Array(3 * 2 * 3).map((_, i) => i + 0.5);
  const view = mixingView({S: 2, C: 3, row: 1, col: 2, step: "channel"}, tables);
  assert.equal(view.value, 2 * 6 + 1 * 3 + 2 + 0.5);
  assert.match(mixingAlt({S: 2, C: 3, row: 1, col: 2, step: "token"}, 0.25), /từ cột 2 của X/);
});
