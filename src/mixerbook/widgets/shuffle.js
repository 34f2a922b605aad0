// Shuffle explorer (chapter 3): an image, the same image under a fixed pixel permutation, and the
// shuffled image put back by the inverse permutation. The permutation for any seed is drawn here,
// exactly as mixerbook.permute.make_permutation draws it with torch's CPU generator: `mt19937` is
// torch's Mersenne Twister (torch.Generator().manual_seed(seed)), `randperm` is torch.randperm on
// the CPU, `patchSourceIndex` is mixerbook.permute.patch_source_index (parity tests in
// tests/test_widgets_shuffle.py).
import {bytesView, clamp, explorerFrame, rangeControl, selectControl, toggleControl, setTraits, report,
        setStatus, makeCanvas, resizeCanvas, drawImageData, themeColors, start} from "./_common.js";

export const MODES = ["none", "patch", "global"];
export const CHECKSUM_MODULUS = 1000000007;

/**
 * torch's CPU generator after `manual_seed(seed)`: a 32-bit Mersenne Twister (mt19937) with the
 * standard initialisation from the low 32 bits of the seed. `random()` returns the next 32-bit
 * output, as CPUGeneratorImpl::random() does.
 */
export function mt19937(seed) {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`The seed must be an integer, got ${seed}.`);
  const state = new Uint32Array(624);
  state[0] = Number(BigInt.asUintN(32, BigInt(seed)));
  for (let i = 1; i < 624; i++) {
    const prev = state[i - 1] ^ (state[i - 1] >>> 30);
    state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  let next = 624;
  function twist() {
    for (let i = 0; i < 624; i++) {
      const y = (state[i] & 0x80000000) | (state[(i + 1) % 624] & 0x7fffffff);
      state[i] = state[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    next = 0;
  }
  return {
    random() {
      if (next >= 624) twist();
      let y = state[next++];
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      return y >>> 0;
    },
  };
}

/**
 * torch.randperm(n, generator=...) on the CPU: start from 0..n-1 and, for i = 0..n-2, swap entry i
 * with entry i + (random() % (n - i)). `generator` is a seed or an `mt19937` generator (which then
 * advances, as torch's does, so two calls draw two permutations from one seed).
 */
export function randperm(n, generator = 0) {
  if (!Number.isInteger(n) || n < 0 || n >= 0xffffffff / 20) {
    throw new RangeError(`randperm takes 0 <= n < ${Math.floor(0xffffffff / 20)}, got ${n}.`);
  }
  const gen = typeof generator === "number" ? mt19937(generator) : generator;
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.random() % (n - i);
    const saved = r[i];
    r[i] = r[z + i];
    r[z + i] = saved;
  }
  return r;
}

/** The divisors of n, in increasing order. */
export function divisors(n) {
  const out = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** The status-line message when P does not divide the image side (as the book's old explorer), else "". */
export function patchSizeMessage(side, patchSize) {
  if (side % patchSize === 0) return "";
  return `Cạnh ảnh ${side} không chia hết cho cạnh patch P = ${patchSize}: với ảnh này, hãy chọn P ` +
    `trong ${divisors(side).join(", ")}.`;
}

function checkPatchGrid(height, width, p) {
  if (!(Number.isInteger(p) && p > 0 && height % p === 0 && width % p === 0)) {
    throw new RangeError(`Mode 'patch' needs a patch_size that divides the image: image ${height}x${width}, ` +
                         `patch_size ${p}.`);
  }
}

/**
 * mixerbook.permute.patch_source_index: output patch j is input patch patchOrder[j], and position
 * q inside every output patch holds position pixelOrder[q] of that input patch. Returns `source`
 * with out[i] = image[source[i]] (row-major).
 */
export function patchSourceIndex(height, width, p, patchOrder, pixelOrder) {
  checkPatchGrid(height, width, p);
  const gridW = width / p;
  const source = new Int32Array(height * width);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const j = Math.floor(row / p) * gridW + Math.floor(col / p);
      const q = (row % p) * p + (col % p);
      const k = patchOrder[j];
      const qs = pixelOrder[q];
      const srcRow = Math.floor(k / gridW) * p + Math.floor(qs / p);
      const srcCol = (k % gridW) * p + (qs % p);
      source[row * width + col] = srcRow * width + srcCol;
    }
  }
  return source;
}

/**
 * mixerbook.permute.make_permutation(mode, height, width, patch_size, seed): the fixed permutation
 * of one experiment. "patch" draws the patch order, then the within-patch order, from one generator.
 */
export function makePermutation(mode, height, width, patchSize, seed = 0) {
  if (!MODES.includes(mode)) throw new RangeError(`Unknown shuffle mode ${mode}; expected one of ${MODES.join(", ")}.`);
  if (!(height > 0 && width > 0)) throw new RangeError(`height and width must be positive, got ${height}x${width}.`);
  const n = height * width;
  const gen = mt19937(seed);
  if (mode === "none") return {mode, height, width, source: Int32Array.from({length: n}, (_, i) => i)};
  if (mode === "global") return {mode, height, width, source: randperm(n, gen)};
  checkPatchGrid(height, width, patchSize);
  const patchOrder = randperm((height / patchSize) * (width / patchSize), gen);
  const pixelOrder = randperm(patchSize * patchSize, gen);
  return {mode, height, width, patchSize, patchOrder, pixelOrder,
          source: patchSourceIndex(height, width, patchSize, patchOrder, pixelOrder)};
}

/** The inverse permutation: inv[perm[i]] = i. */
export function invertPermutation(perm) {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
  return inv;
}

/** Apply `source` to every channel of a (channels, n) uint8 image: out[c, i] = pixels[c, source[i]]. */
export function applyPermutation(pixels, channels, source, offset = 0) {
  const n = source.length;
  const out = new Uint8Array(channels * n);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < n; i++) out[c * n + i] = pixels[offset + c * n + source[i]];
  }
  return out;
}

/** Sum over i of (i + 1) * source[i], modulo 1e9+7 (the same rule as shuffle.py's `shows`). */
export function checksum(source) {
  let total = 0;
  for (let i = 0; i < source.length; i++) total = (total + (i + 1) * source[i]) % CHECKSUM_MODULUS;
  return total;
}

/** A compact fingerprint of a long array (for parity tests): length, first and last 12, checksum. */
export function summary(values) {
  return {length: values.length, head: Array.from(values.slice(0, 12)), tail: Array.from(values.slice(-12)),
          checksum: checksum(values)};
}

/** `summary` of randperm(n, seed). */
export function randpermSummary(n, seed) {
  return summary(randperm(n, seed));
}

/** `summary` of makePermutation(...)'s source, patch order and pixel order. */
export function permutationSummary(mode, height, width, patchSize, seed) {
  const perm = makePermutation(mode, height, width, patchSize, seed);
  return {source: summary(perm.source), patchOrder: perm.patchOrder ? summary(perm.patchOrder) : null,
          pixelOrder: perm.pixelOrder ? summary(perm.pixelOrder) : null};
}

/**
 * Everything the picture shows for one image (channels x side x side uint8 at `offset` of `pixels`):
 * either {message} when P does not divide the side, or the permutation, the shuffled and restored
 * images, the first 12 sources, the checksum and whether the restored image equals the original.
 */
export function shuffleView({side, channels = 1, mode, patchSize, seed}, pixels, offset = 0) {
  if (mode === "patch") {
    const message = patchSizeMessage(side, patchSize);
    if (message) return {message};
  }
  const perm = makePermutation(mode, side, side, patchSize, seed);
  const shuffled = applyPermutation(pixels, channels, perm.source, offset);
  const restored = applyPermutation(shuffled, channels, invertPermutation(perm.source));
  let restoredEqual = true;
  for (let i = 0; i < restored.length; i++) {
    if (restored[i] !== pixels[offset + i]) { restoredEqual = false; break; }
  }
  return {perm, shuffled, restored, restoredEqual, head: Array.from(perm.source.slice(0, 12)),
          checksum: checksum(perm.source)};
}

const HOW = {none: "không xáo", global: "xáo toàn cục"};

function render({model, el}) {
  const frame = explorerFrame(el, "shuffle",
    "Xáo trộn điểm ảnh bằng một hoán vị cố định, rồi xáo ngược để lấy lại ảnh");
  const [canvas, ctx] = makeCanvas(744, 300);
  frame.figure.append(canvas);
  const count = model.get("count");
  const side = model.get("side");
  const photoSide = model.get("photo_side");
  const images = bytesView(model.get("images"));
  const photo = bytesView(model.get("photo"));
  const labels = model.get("labels") || [];
  const classNames = model.get("class_names") || [];
  let lastShuffle = model.get("mode") === "global" ? "global" : "patch";

  const controls = {
    source: selectControl("source", "Nguồn ảnh",
      [["fashion", `Fashion-MNIST ${side}×${side}`], ["photo", `Ảnh chụp ${photoSide}×${photoSide}`]],
      model.get("source"), (v) => change({source: v})),
    // choosing an image number means a Fashion-MNIST image
    index: rangeControl("index", "Ảnh số", {min: 0, max: count - 1, value: model.get("index")},
      (v) => change({index: v, source: "fashion"})),
    mode: toggleControl("mode", "Kiểu xáo",
      [["none", "Không xáo"], ["patch", "Patch + điểm ảnh"], ["global", "Toàn cục"]],
      model.get("mode"), (v) => change({mode: v})),
    // a seed only matters for a shuffle, P only for the patch shuffle: moving them selects one
    seed: rangeControl("seed", "Hạt giống", {min: 0, max: 20, value: model.get("seed")},
      (v) => change({seed: v, mode: model.get("mode") === "none" ? lastShuffle : model.get("mode")})),
    patch_size: selectControl("patch_size", "Cạnh patch P", model.get("patch_sizes").map((p) => [p, String(p)]),
      model.get("patch_size"), (v) => change({patch_size: v, mode: "patch"})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    if (changes.index !== undefined) changes.index = clamp(changes.index, 0, count - 1);
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {source: model.get("source"), index: model.get("index"), mode: model.get("mode"),
                    seed: model.get("seed"), patch_size: model.get("patch_size")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    if (values.mode !== "none") lastShuffle = values.mode;
    const fashion = values.source !== "photo";
    const s = fashion ? side : photoSide;
    const channels = fashion ? 1 : 3;
    const pixels = fashion ? images : photo;
    const offset = fashion ? values.index * side * side : 0;
    const label = labels[values.index];
    const name = fashion ? (label !== undefined && label !== null && classNames[label] !== undefined
      ? `${classNames[label]} (ảnh số ${values.index})` : `Ảnh số ${values.index}`) : `Ảnh chụp ${s}×${s}`;
    const view = shuffleView({side: s, channels, mode: values.mode, patchSize: values.patch_size,
                              seed: values.seed}, pixels, offset);
    setStatus(frame, view.message);

    const colors = themeColors(frame.root);
    const panel = 224, gap = 20, left = 16, top = 58;
    const scale = panel / s;
    const width = left * 2 + panel * 3 + gap * 2;
    resizeCanvas(canvas, ctx, width, top + panel + 14);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = colors.fg;
    ctx.font = "bold 14px sans-serif";
    const how = values.mode === "patch" ? `xáo patch ${values.patch_size}×${values.patch_size} + điểm ảnh`
      : HOW[values.mode];
    const seedText = values.mode === "none" ? "" : `, hạt giống ${values.seed}`;
    ctx.fillText(`${name}: ${how}${seedText}`, width / 2, 14);

    const rgbOf = (data, start) => (channels === 1
      ? (i) => { const v = data[start + i]; return [v, v, v]; }
      : (i) => [data[start + i], data[start + s * s + i], data[start + 2 * s * s + i]]);
    const xs = [0, 1, 2].map((k) => left + k * (panel + gap));
    const titles = ["Ảnh gốc", "Sau khi xáo trộn",
      view.message ? "Xáo ngược" : "Xáo ngược: " + (view.restoredEqual ? "khớp ảnh gốc ✓" : "KHÁC ảnh gốc")];
    ctx.font = "13px sans-serif";
    titles.forEach((t, k) => { ctx.fillStyle = colors.fg; ctx.fillText(t, xs[k] + panel / 2, top - 14); });
    drawImageData(ctx, s, s, xs[0], top, scale, rgbOf(pixels, offset));
    if (view.message) {
      for (const x of xs.slice(1)) {
        ctx.strokeStyle = colors.muted;
        ctx.setLineDash([5, 4]);
        ctx.strokeRect(x + 0.5, top + 0.5, panel - 1, panel - 1);
        ctx.setLineDash([]);
        ctx.fillStyle = colors.fg;
        ctx.fillText(`P = ${values.patch_size} không chia hết ${s}`, x + panel / 2, top + panel / 2 - 10);
        ctx.fillText(`chọn P trong ${divisors(s).join(", ")}`,
                     x + panel / 2, top + panel / 2 + 10);
      }
    } else {
      drawImageData(ctx, s, s, xs[1], top, scale, rgbOf(view.shuffled, 0));
      drawImageData(ctx, s, s, xs[2], top, scale, rgbOf(view.restored, 0));
    }
    const p = values.patch_size;
    if (values.mode === "patch" && !view.message && p > 1 && s / p <= 32) {
      ctx.strokeStyle = colors.near;
      ctx.lineWidth = 1;
      for (const x of xs.slice(0, 2)) {
        ctx.beginPath();
        for (let k = p; k < s; k += p) {
          const at = Math.round(k * scale) + 0.5;
          ctx.moveTo(x + at, top); ctx.lineTo(x + at, top + panel);
          ctx.moveTo(x, top + at); ctx.lineTo(x + panel, top + at);
        }
        ctx.stroke();
      }
    }

    const shows = {source: values.source, index: fashion ? values.index : null, mode: values.mode,
                   patch_size: values.patch_size, seed: values.seed};
    let alt;
    if (view.message) {
      shows.message = view.message;
      alt = `${name}: ${view.message} Chỉ hiện ảnh gốc.`;
    } else {
      Object.assign(shows, {head: view.head, checksum: view.checksum, restored_equal: view.restoredEqual});
      const back = view.restoredEqual ? "xáo ngược cho lại đúng ảnh gốc" : "xáo ngược KHÔNG cho lại ảnh gốc";
      if (values.mode === "none") {
        alt = `${name}, không xáo: ảnh xáo và ảnh xáo ngược giống hệt ảnh gốc.`;
      } else if (values.mode === "global") {
        alt = `${name}, xáo toàn cục ${s * s} điểm ảnh với hạt giống ${values.seed}: hình dạng biến mất thành ` +
          `nhiễu; điểm ảnh ở vị trí 0 lấy từ vị trí ${view.head[0]}; ${back}.`;
      } else {
        const grid = s / p;
        alt = `${name}, xáo ${grid * grid} patch ${p}×${p} với hạt giống ${values.seed}: patch ra 0 lấy từ patch ` +
          `vào ${view.perm.patchOrder[0]}, điểm ảnh trong mọi patch theo cùng một thứ tự; ${back}.`;
      }
    }
    report(frame, values, shows, alt);
  }

  return start(model, controls, draw);
}

export default {render};
