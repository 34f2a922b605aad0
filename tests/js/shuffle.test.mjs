import test from "node:test";
import assert from "node:assert/strict";
import {mt19937, randperm, divisors, patchSizeMessage, patchSourceIndex, makePermutation, invertPermutation,
        applyPermutation, checksum, shuffleView} from "../../src/mixerbook/widgets/shuffle.js";

test("mt19937 gives the standard's outputs (seed 5489) and torch's first draw for seed 0", () => {
  const g = mt19937(5489);
  assert.deepEqual([g.random(), g.random(), g.random()], [3499211612, 581869302, 3890346734]);
  assert.equal(mt19937(0).random(), 2357136044);
  // torch truncates a seed to its low 32 bits
  assert.equal(mt19937(2 ** 32 + 5).random(), mt19937(5).random());
});

test("randperm matches torch.randperm(10, seed 0) and draws two permutations from one generator", () => {
  assert.deepEqual(Array.from(randperm(10, 0)), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
  const g = mt19937(0);
  const first = randperm(10, g);
  assert.deepEqual(Array.from(first), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
  assert.notDeepEqual(Array.from(randperm(10, g)), Array.from(first));
  assert.deepEqual(Array.from(randperm(1, 3)), [0]);
  assert.deepEqual(Array.from(randperm(0, 3)), []);
});

test("every permutation is a permutation", () => {
  for (const n of [7, 784, 50176]) {
    const sorted = Array.from(randperm(n, 11)).sort((a, b) => a - b);
    assert.ok(sorted.every((v, i) => v === i));
  }
});

test("the message names the side, P and the divisors", () => {
  assert.deepEqual(divisors(28), [1, 2, 4, 7, 14, 28]);
  assert.equal(patchSizeMessage(28, 7), "");
  assert.equal(patchSizeMessage(28, 8),
    "Cạnh ảnh 28 không chia hết cho cạnh patch P = 8: với ảnh này, hãy chọn P trong 1, 2, 4, 7, 14, 28.");
});

test("patch shuffle keeps every patch together and uses one pixel order", () => {
  const source = patchSourceIndex(4, 4, 2, [3, 2, 1, 0], [0, 1, 2, 3]);
  assert.deepEqual(Array.from(source.slice(0, 4)), [10, 11, 8, 9]);
  const perm = makePermutation("patch", 28, 28, 7, 0);
  assert.equal(perm.patchOrder.length, 16);
  assert.equal(perm.pixelOrder.length, 49);
  assert.throws(() => makePermutation("patch", 28, 28, 8, 0), /divides the image/);
  assert.throws(() => makePermutation("rows", 28, 28, 7, 0), /Unknown shuffle mode/);
  assert.deepEqual(Array.from(makePermutation("none", 3, 3, 1, 5).source), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("applying then inverting gives the image back, in every channel", () => {
  const pixels = Uint8Array.from({length: 2 * 16}, (_, i) => (i * 37) % 256);
  const {source} = makePermutation("global", 4, 4, 2, 9);
  const shuffled = applyPermutation(pixels, 2, source);
  assert.deepEqual(applyPermutation(shuffled, 2, invertPermutation(source)), pixels);
  const view = shuffleView({side: 4, channels: 2, mode: "global", patchSize: 2, seed: 9}, pixels);
  assert.equal(view.restoredEqual, true);
  assert.deepEqual(view.head, Array.from(source.slice(0, 12)));
  assert.deepEqual(shuffleView({side: 4, mode: "patch", patchSize: 3, seed: 0}, pixels).message,
                   patchSizeMessage(4, 3));
});

test("checksum: sum of (i + 1) * source[i] modulo 1e9+7", () => {
  assert.equal(checksum([2, 0, 1]), 1 * 2 + 2 * 0 + 3 * 1);
  assert.equal(checksum(Array.from({length: 50176}, (_, i) => 50175 - i)) < 1000000007, true);
});
