import test from "node:test";
import assert from "node:assert/strict";
import {tradeoffView, accuracyRange, throughputTicks, placeLabels} from "../../src/mixerbook/widgets/tradeoff.js";

const rows = [
  {key: "a", model: "Mixer-B/16", family: "Mixer", pretrain: "ImageNet-1k", resolution: 224, top1: 76.44,
   throughput: 1384, table: 3},
  {key: "b", model: "Mixer-L/16", family: "Mixer", pretrain: "ImageNet-21k", resolution: 448, top1: 84.15,
   throughput: 105, table: 2},
  {key: "c", model: "MPL", family: "other", pretrain: "unlabelled/weak", resolution: null, top1: 90.0,
   throughput: null, table: 2},
  {key: "d", model: "ViT-L/16", family: "ViT", pretrain: "ImageNet-21k", resolution: 224, top1: 84.46,
   throughput: 280, table: 3},
];
const claims = [{model: "Mixer-L/16", top1: 84.15, throughput: 419, paired: false, target: "b"},
                {model: "Mixer-B/16", top1: 76.44, throughput: 1384, paired: true, target: "a"}];

test("filters: table, pre-training set, report lines; rows without throughput are left out", () => {
  assert.deepEqual(tradeoffView(rows, claims, {pretrain: "Tất cả", tables: "Bảng 2 và 3", show_report: true}),
                   {points: ["a", "b", "d"], highlighted: ["a", "b", "d"], report: ["Mixer-L/16"]});
  assert.deepEqual(tradeoffView(rows, claims, {pretrain: "ImageNet-21k", tables: "Bảng 3", show_report: false}),
                   {points: ["a", "d"], highlighted: ["d"], report: []});
  assert.deepEqual(tradeoffView(rows, claims, {pretrain: "ImageNet-1k", tables: "Bảng 2", show_report: false}),
                   {points: ["b"], highlighted: [], report: []});
  assert.throws(() => tradeoffView(rows, claims, {pretrain: "Tất cả", tables: "Bảng 9", show_report: true}),
                /Unknown table/);
});

test("the accuracy axis is fixed, in steps of 5, and says where it starts", () => {
  assert.deepEqual(accuracyRange(rows, claims), [75, 95]);
  assert.deepEqual(throughputTicks(10, 20000), [10, 30, 100, 300, 1000, 3000, 10000]);
});

test("labels avoid each other and the points", () => {
  const labels = [{x: 100, y: 100, width: 40}, {x: 100, y: 102, width: 40}];
  const places = placeLabels(labels, [[100, 100], [100, 102]], {x0: 0, x1: 300, y0: 0, y1: 300});
  assert.equal(places.length, 2);
  assert.notDeepEqual([places[0].x, places[0].y], [places[1].x, places[1].y]);
  // at the right edge a label goes to the left of its point
  const edge = placeLabels([{x: 290, y: 100, width: 40}], [], {x0: 0, x1: 300, y0: 0, y1: 300});
  assert.equal(edge[0].anchor, "end");
});

test("dark backgrounds are told from light ones", async () => {
  const {isDark} = await import("../../src/mixerbook/widgets/tradeoff.js");
  assert.equal(isDark("#121212"), true);
  assert.equal(isDark("#fff"), false);
  assert.equal(isDark("rgb(18, 18, 18)"), true);
  assert.equal(isDark("rgba(255, 255, 255, 1)"), false);
  assert.equal(isDark("white"), false);
});
