import test from "node:test";
import assert from "node:assert/strict";
import {bytesView, float32View, clamp, formatNumber, extent, sequential, diverging} from "../../src/mixerbook/widgets/_common.js";

test("bytes arrive as DataView, ArrayBuffer, Uint8Array or base64", () => {
  const raw = new Uint8Array([1, 2, 250]);
  assert.deepEqual(Array.from(bytesView(new DataView(raw.buffer))), [1, 2, 250]);
  assert.deepEqual(Array.from(bytesView(raw.buffer)), [1, 2, 250]);
  assert.deepEqual(Array.from(bytesView("AQL6")), [1, 2, 250]);
  assert.throws(() => bytesView(12), /expected bytes/);
});

test("float32 from bytes, aligned or not", () => {
  const f = new Float32Array([1.5, -2]);
  const shifted = new Uint8Array(9);
  shifted.set(new Uint8Array(f.buffer), 1);
  assert.deepEqual(Array.from(float32View(new DataView(f.buffer))), [1.5, -2]);
  assert.deepEqual(Array.from(float32View(new DataView(shifted.buffer, 1, 8))), [1.5, -2]);
});

test("numbers in the book's format: decimal point, no-break space between thousands from five digits", () => {
  assert.equal(formatNumber(154141696), "154\u00a0141\u00a0696");
  assert.equal(formatNumber(0.5, 2), "0.50");
  assert.equal(formatNumber(-1234.5, 1), "−1234.5");
  assert.equal(formatNumber(-12345.5, 1), "−12\u00a0345.5");
  assert.equal(formatNumber(1024), "1024");
});

test("small helpers", () => {
  assert.equal(clamp(12, 0, 9), 9);
  assert.deepEqual(extent([3, -1, 7]), [-1, 7]);
  assert.deepEqual(sequential(0), [68, 1, 84]);
  assert.deepEqual(sequential(1), [253, 231, 37]);
  assert.deepEqual(diverging(0), [247, 247, 247]);
  assert.deepEqual(diverging(-1), [33, 102, 172]);
});
