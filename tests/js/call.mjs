// Parity helper for pytest (tests/js_parity.py): call exported functions of an explorer's ES
// module with JSON arguments. Reads {"module": "flatten.js", "fn": "neighbours", "calls": [[args], ...]}
// on stdin; prints [{"ok": result} | {"error": message}, ...] as JSON.
import {readFileSync} from "node:fs";
import {fileURLToPath, pathToFileURL} from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const widgets = path.resolve(here, "../../src/mixerbook/widgets");
const request = JSON.parse(readFileSync(0, "utf8"));
const mod = await import(pathToFileURL(path.join(widgets, request.module)).href);
const fn = mod[request.fn];
if (typeof fn !== "function") throw new Error(`${request.module} exports no function ${request.fn}`);
const plain = (value) => (ArrayBuffer.isView(value) ? Array.from(value) : value);
const out = request.calls.map((args) => {
  try {
    return {ok: JSON.parse(JSON.stringify(fn(...args), (k, v) => plain(v)))};
  } catch (err) {
    return {error: String(err && err.message || err)};
  }
});
process.stdout.write(JSON.stringify(out));
