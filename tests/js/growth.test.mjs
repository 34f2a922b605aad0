import test from "node:test";
import assert from "node:assert/strict";
import {drawnSeries, growthAt, growthSeries, growthSides, growthMessage, growthView, powerOfTen, sideTicks}
  from "../../src/mixerbook/widgets/growth.js";

test("Mixer-B/16 at 224 px: the counts of mixerbook.complexity's docstrings", () => {
  const at = growthAt(224);
  assert.equal(at.S, 196);
  assert.equal(at.inputs, 150528);
  assert.deepEqual(at.layers.MLP, {params: 154141696, macs: 154140672});
  assert.equal(at.layers.CNN.params, 1792);
  assert.equal(at.layers.Mixer.params, 151108 + 4722432 + 3072);
  assert.equal(at.layers.Mixer.macs, 2 * 196 * 768 * (384 + 3072));
});

test("the conv's parameters do not depend on R; the MLP's grow as R squared", () => {
  const s = growthSeries([32, 64, 128], {hidden: 512, channels: 1});
  assert.deepEqual(s.CNN.params, [640, 640, 640]);
  assert.equal(s.MLP.macs[1] / s.MLP.macs[0], 4);
  assert.equal(s.MLP.macs[2] / s.MLP.macs[1], 4);
});

test("a side that P does not divide is refused, and the message names sides the slider reaches", () => {
  assert.throws(() => growthAt(232), /not divisible by patch_size 16/);
  assert.equal(growthMessage(224, 16), null);
  const msg = growthMessage(232, 16);
  assert.match(msg, /R = 232 không chia hết cho cạnh patch P = 16/);
  assert.match(msg, /ví dụ 224 hoặc 240/);
  assert.match(growthMessage(40, 14), /ví dụ 56,/);
  assert.match(growthMessage(1024, 14), /ví dụ 1008,/);
  const view = growthView({resolution: 232, hidden: 1024, channels: 3, patch_size: 16});
  assert.equal(view.message, msg);
  assert.deepEqual(Object.keys(view.layers), ["MLP", "CNN"]);
  assert.equal(view.layers.MLP.macs, 232 * 232 * 3 * 1024);
});

test("sides: multiples of P from 32 to 2048, and R", () => {
  assert.deepEqual(growthSides(224, 16), [32, 48, 64, 96, 128, 192, 224, 256, 384, 512, 768, 1024]);
  assert.deepEqual(growthSides(1024, 8).slice(-2), [512, 1024]);
});

test("large counts stay exact or are refused", () => {
  const at = growthAt(4096, {hidden: 4096, channels: 4, patchSize: 8});
  assert.equal(at.layers.MLP.macs, 4096 * 4096 * 4 * 4096);
  assert.ok(Number.isSafeInteger(at.layers.Mixer.macs));
  assert.throws(() => growthAt(2 ** 20, {hidden: 2 ** 20}), /too large/);
});

test("axis helpers", () => {
  assert.equal(powerOfTen(12), "10¹²");
  assert.deepEqual(sideTicks(32, 1024), [32, 64, 128, 224, 448, 896]);
});

test("the picture leaves the Mixer out when P does not divide R", () => {
  const values = {resolution: 232, hidden: 512, channels: 1, patch_size: 16};
  const series = drawnSeries(growthSides(232, 16), values);
  assert.deepEqual(Object.keys(series), ["MLP", "CNN"]);
  assert.equal(series.MLP.params.length, growthSides(232, 16).length);
  assert.deepEqual(Object.keys(drawnSeries(growthSides(224, 16), {...values, resolution: 224})),
                   ["MLP", "CNN", "Mixer"]);
});
