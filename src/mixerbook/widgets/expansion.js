// Expansion explorer (chapter 7): for an image K times larger per side, the token-mixing W1 of a
// Mixer block is copied K² times along the diagonal (paper Appendix C). Python ships each block's
// W1 (D_S x S); this module builds W1' (K² D_S x K² S) with its columns in raster order, as the
// model stores it. Parity: `blockOrder` equals mixerbook.models.mixer.block_order and
// `expandTokenWeight` the fc1.weight of mixerbook.models.mixer.expand_token_mlp.
import {explorerFrame, rangeControl, setTraits, report, makeCanvas, resizeCanvas, themeColors, float32View,
        formatNumber, start, offscreen, blit} from "./_common.js";

/** Colours of the K x K blocks (mixerbook.viz._BLOCK_COLORS). */
export const BLOCK_COLORS = ["#edae49", "#00798c", "#d1495b", "#66a182", "#8d96a3", "#2e4057", "#b5838d", "#6d597a",
                             "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#9c6644", "#7f5539", "#588157", "#a3b18a"];

function checkPositive(name, value, what) {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive int ${what}, got ${value}.`);
}

/**
 * The raster index of every token when a (K g) x (K g) token grid is read as K x K blocks of g x g
 * tokens: order[p] is the raster index of the token at position p of the block order.
 */
export function blockOrder(grid, factor) {
  checkPositive("factor", factor, "K");
  checkPositive("grid_size", grid, "g");
  const side = factor * grid;
  const order = [];
  for (let bi = 0; bi < factor; bi++) {
    for (let bj = 0; bj < factor; bj++) {
      for (let r = 0; r < grid; r++) {
        for (let c = 0; c < grid; c++) order.push((bi * grid + r) * side + bj * grid + c);
      }
    }
  }
  return order;
}

/** The block (0 ... K²-1, blocks counted row by row) of every token, by raster index. */
export function blockOfToken(grid, factor) {
  const order = blockOrder(grid, factor);
  const out = new Array(order.length);
  order.forEach((raster, p) => { out[raster] = Math.floor(p / (grid * grid)); });
  return out;
}

/**
 * W1' of the expanded token-mixing MLP: (K² D) x (K² g²), row-major, from W1 (D x g², row-major).
 * Row b D + d, column order[b g² + s] holds W1[d, s]; every other entry is zero.
 */
export function expandTokenWeight(weight, hidden, grid, factor) {
  const size = grid * grid;
  if (weight.length !== hidden * size) {
    throw new RangeError(`W1 must hold ${hidden} x ${size} values for grid_size ${grid}, got ${weight.length}.`);
  }
  const order = blockOrder(grid, factor);
  const copies = factor * factor, cols = copies * size;
  const out = new Float32Array(copies * hidden * cols);
  for (let b = 0; b < copies; b++) {
    for (let d = 0; d < hidden; d++) {
      const row = (b * hidden + d) * cols;
      for (let s = 0; s < size; s++) out[row + order[b * size + s]] = weight[d * size + s];
    }
  }
  return out;
}

/** What the picture shows: K, the block, W1's shape, its nonzero entries (count, sum of flat indices, row 0). */
export function expansionView({factor, block}, expanded, hidden, grid) {
  const copies = factor * factor;
  const rows = copies * hidden, cols = copies * grid * grid;
  let nonzero = 0, checksum = 0;
  for (let i = 0; i < expanded.length; i++) {
    if (expanded[i] !== 0) { nonzero += 1; checksum += i; }
  }
  const row0 = [];
  for (let c = 0; c < cols; c++) if (expanded[c] !== 0) row0.push(c);
  return {factor, block, shape: [rows, cols], nonzero, checksum, row0};
}

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Draw |matrix| (rows x cols) as greys (white 0, black vmax) into w x h CSS pixels, averaging when shrinking. */
function drawMatrix(ctx, matrix, rows, cols, colOf, x, y, w, h, vmax) {
  const ratio = (typeof window !== "undefined" && window.devicePixelRatio) || 1;
  const W = Math.round(w * ratio), H = Math.round(h * ratio);
  const grey = (i) => {
    const ty = Math.floor(i / W), tx = i % W;
    const r0 = Math.floor((ty * rows) / H), r1 = Math.max(r0 + 1, Math.floor(((ty + 1) * rows) / H));
    const c0 = Math.floor((tx * cols) / W), c1 = Math.max(c0 + 1, Math.floor(((tx + 1) * cols) / W));
    let sum = 0;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) sum += Math.abs(matrix[r * cols + colOf[c]]);
    const v = Math.round(255 * (1 - Math.min(1, sum / ((r1 - r0) * (c1 - c0)) / vmax)));
    return [v, v, v];
  };
  blit(ctx, offscreen(W, H, grey), x, y, w, h);
}

function render({model, el}) {
  const numBlocks = model.get("num_blocks"), g = model.get("grid"), hidden = model.get("hidden");
  const size = g * g;
  const weights = float32View(model.get("weights"));
  const cache = new Map(); // "block,K" -> W1'
  const expandedOf = (block, factor) => {
    const key = `${block},${factor}`;
    if (!cache.has(key)) {
      cache.clear(); // keep one matrix (up to 16 x the block's W1)
      cache.set(key, expandTokenWeight(weights.subarray(block * hidden * size, (block + 1) * hidden * size),
                                       hidden, g, factor));
    }
    return cache.get(key);
  };
  const frame = explorerFrame(el, "expansion", "Ảnh lớn gấp K lần: W1 được chép K² lần dọc đường chéo.");
  const [canvas, ctx] = makeCanvas(740, 380);
  frame.figure.append(canvas);
  const controls = {
    factor: rangeControl("factor", "Hệ số K", {min: 1, max: 4, value: model.get("factor")}, (v) => change({factor: v})),
  };
  if (numBlocks > 1) {
    controls.block = rangeControl("block", "Lớp Mixer", {min: 0, max: numBlocks - 1, value: model.get("block")},
      (v) => change({block: v}));
  }
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {factor: model.get("factor"), block: numBlocks > 1 ? model.get("block") : 0};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const {factor: K, block} = values;
    const expanded = expandedOf(block, K);
    const view = expansionView(values, expanded, hidden, g);
    const [rows, cols] = view.shape;
    const colors = themeColors(frame.root);
    const side = K * g, copies = K * K;
    const order = blockOrder(g, K), owner = blockOfToken(g, K);
    const raster = Array.from({length: cols}, (_, i) => i);
    let vmax = 0;
    for (let i = 0; i < hidden * size; i++) vmax = Math.max(vmax, Math.abs(weights[block * hidden * size + i]));
    vmax = vmax || 1;
    const totalH = 372, top = 64;
    resizeCanvas(canvas, ctx, 740, totalH);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = colors.fg;
    ctx.font = "13px sans-serif";
    ctx.fillText(`Lớp Mixer ${block}: ảnh lớn gấp ${K} lần mỗi cạnh, W1 (${hidden}×${size}) → W1' (${rows}×${cols})`,
                 370, 12);
    // left: the token grid, coloured by block, with raster indices
    const gridSide = 200, x0 = 14, cell = gridSide / side;
    ctx.font = "12px sans-serif";
    ctx.fillText(`Lưới ${side}×${side} token =`, x0 + gridSide / 2, 34);
    ctx.fillText(`${K}×${K} khối ${g}×${g}`, x0 + gridSide / 2, 50);
    for (let t = 0; t < cols; t++) {
      const r = Math.floor(t / side), c = t % side, color = BLOCK_COLORS[owner[t] % BLOCK_COLORS.length];
      ctx.fillStyle = color;
      const left = Math.round(x0 + c * cell), upper = Math.round(top + r * cell);
      ctx.fillRect(left, upper, Math.round(x0 + (c + 1) * cell) - left, Math.round(top + (r + 1) * cell) - upper);
      if (cell >= 22) {
        ctx.fillStyle = luminance(color) > 140 ? "#111111" : "#ffffff";
        ctx.font = "11px sans-serif";
        ctx.fillText(String(t), x0 + (c + 0.5) * cell, top + (r + 0.5) * cell);
      }
    }
    ctx.strokeStyle = "rgba(255, 255, 255, 0.45)"; // token boundaries
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 1; k < side; k++) {
      ctx.moveTo(Math.round(x0 + k * cell) + 0.5, top); ctx.lineTo(Math.round(x0 + k * cell) + 0.5, top + gridSide);
      ctx.moveTo(x0, Math.round(top + k * cell) + 0.5); ctx.lineTo(x0 + gridSide, Math.round(top + k * cell) + 0.5);
    }
    ctx.stroke();
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 2.5;
    ctx.strokeRect(x0, top, gridSide, gridSide);
    ctx.beginPath();
    for (let k = 1; k < K; k++) {
      ctx.moveTo(x0 + k * g * cell, top); ctx.lineTo(x0 + k * g * cell, top + gridSide);
      ctx.moveTo(x0, top + k * g * cell); ctx.lineTo(x0 + gridSide, top + k * g * cell);
    }
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.font = "11px sans-serif";
    ctx.fillText(cell >= 22 ? "số trong ô: thứ tự hàng của token" : "mỗi ô nhỏ là một token",
                 x0 + gridSide / 2, top + gridSide + 14);
    // middle and right: |W1'|, columns in block order then in raster order, a strip of block colours above
    const panels = [[order, "W1' theo thứ tự khối:", "khối chéo"],
                    [raster, "W1' như mô hình lưu:", "cột theo thứ tự hàng"]];
    const mw = 222, mh = 250, stripH = 10;
    panels.forEach(([colOf, line1, line2], k) => {
      const mx = 268 + k * (mw + 34), my = top + stripH + 2;
      ctx.fillStyle = colors.fg;
      ctx.font = "12px sans-serif";
      ctx.textAlign = "center";
      ctx.fillText(line1, mx + mw / 2, 34);
      ctx.fillText(line2, mx + mw / 2, 50);
      for (let c = 0; c < cols; c++) {
        ctx.fillStyle = BLOCK_COLORS[owner[colOf[c]] % BLOCK_COLORS.length];
        ctx.fillRect(mx + (c * mw) / cols, top, mw / cols + 0.5, stripH);
      }
      drawMatrix(ctx, expanded, rows, cols, colOf, mx, my, mw, mh, vmax);
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.strokeRect(mx - 0.5, my - 0.5, mw + 1, mh + 1);
      ctx.fillStyle = colors.fg;
      ctx.font = "11px sans-serif";
      ctx.fillText(`${cols} token (cột)`, mx + mw / 2, my + mh + 14);
      ctx.save();
      ctx.translate(mx - 12, my + mh / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(`${rows} nơ-ron ẩn (hàng)`, 0, 0);
      ctx.restore();
    });
    ctx.fillStyle = colors.muted;
    ctx.font = "11px sans-serif";
    ctx.fillText(`trắng: 0, đen: |w| lớn nhất (${formatNumber(vmax, 2)}); màu trên cột: khối của token`,
                 268 + mw + 17, totalH - 12);
    const share = formatNumber((100 * view.nonzero) / expanded.length, 1);
    const alt = `K = ${K}: lưới ${side}×${side} token gồm ${K}×${K} khối ${g}×${g}; W1' của lớp Mixer ${block} có ` +
      `${rows}×${cols} phần tử, W1 (${hidden}×${size}) được chép ${copies} lần dọc đường chéo khi xếp cột theo khối; ` +
      `${share}% phần tử khác 0.`;
    report(frame, values, view, alt);
  }

  return start(model, controls, draw);
}

export default {render};
