import test from "node:test";
import assert from "node:assert/strict";
import {oppositePhasePartners, mosaicColumns, roundTo, tokenWeightsView} from "../../src/mixerbook/widgets/token_weights.js";

test("an exact opposite pair finds each other with cosine -1", () => {
  const w = [1, 2, 0, 1, /* unit 1 */ -1, -2, 0, -1, /* unit 2 */ 0, 1, 1, 0];
  const {partner, cosine} = oppositePhasePartners(w, 3, 4);
  assert.deepEqual(partner.slice(0, 2), [1, 0]);
  assert.ok(Math.abs(cosine[0] + 1) < 1e-12 && Math.abs(cosine[1] + 1) < 1e-12);
  assert.equal(partner[2], 1); // [0, 1, 1, 0] points along unit 0, so away from unit 1
});

test("a unit is never its own partner, even with two units", () => {
  const {partner} = oppositePhasePartners([1, 0, 1, 0], 2, 2);
  assert.deepEqual(partner, [1, 0]);
});

test("bad shapes are refused", () => {
  assert.throws(() => oppositePhasePartners([1, 2], 1, 2), /at least two units/);
  assert.throws(() => oppositePhasePartners([1, 2, 3], 2, 2), /expected 2 x 2 weights/);
});

test("mosaic columns, rounding and the view", () => {
  assert.equal(mosaicColumns(64), 8);
  assert.equal(mosaicColumns(12), 4);
  assert.equal(roundTo(-0.98765, 3), -0.988);
  assert.deepEqual(tokenWeightsView({block: 1, unit: 0}, {partner: [2, 0, 0], cosine: [-0.12345, 0, 0]}),
    {block: 1, unit: 0, partner: 2, cosine: -0.123});
});
