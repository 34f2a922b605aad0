import test from "node:test";
import assert from "node:assert/strict";
import {shiftImage, changedCount, shiftView, shiftWords} from "../../src/mixerbook/widgets/shift.js";

const image = Uint8Array.from([1, 2, 3,
                               4, 5, 6]);

test("a shift to the right fills the left column with zeros", () => {
  assert.deepEqual(Array.from(shiftImage(image, 2, 3, 1, 0)), [0, 1, 2, 0, 4, 5]);
  assert.deepEqual(Array.from(shiftImage(image, 2, 3, -1, 0)), [2, 3, 0, 5, 6, 0]);
  assert.deepEqual(Array.from(shiftImage(image, 2, 3, 0, 1)), [0, 0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(shiftImage(image, 2, 3, 2, -1)), [0, 0, 4, 0, 0, 0]);
  assert.deepEqual(Array.from(shiftImage(image, 2, 3, 0, 0)), Array.from(image));
});

test("shifts as large as the image are refused", () => {
  assert.throws(() => shiftImage(image, 2, 3, 3, 0), /smaller than the image size/);
  assert.throws(() => shiftImage(image, 2, 3, 0, -2), /smaller than the image size/);
});

test("changed entries are counted, for an image at an offset of the stack", () => {
  const stack = Uint8Array.from([9, 9, 9, 9, 9, 9, 1, 1, 0, 1, 1, 0]);
  assert.equal(changedCount(image, shiftImage(image, 2, 3, 1, 0)), 6);
  const view = shiftView(stack, 2, 3, 1, 1, 0);
  assert.deepEqual(Array.from(view.shifted), [0, 1, 1, 0, 1, 1]);
  assert.equal(view.changed, 4);
  assert.equal(view.total, 6);
});

test("the shift in words", () => {
  assert.equal(shiftWords(0, 0), "không dịch");
  assert.equal(shiftWords(-1, 2), "1 điểm ảnh sang trái, 2 điểm ảnh xuống dưới");
});
