// Token-weights explorer (chapter 6): the first-layer weights of a token-mixing MLP on the patch
// grid (mixerbook.mixing.token_weight_grids, shipped by Python), one hidden unit large, its most
// opposite unit, and every unit of the block. Parity: `oppositePhasePartners` equals
// mixerbook.mixing.opposite_phase_partners.
import {explorerFrame, rangeControl, setTraits, report, makeCanvas, resizeCanvas, themeColors, float32View,
        bytesView, diverging, formatNumber, start, offscreen} from "./_common.js";

/** Decimals of the cosine in `data-shows` (same as COSINE_DECIMALS in token_weights.py). */
export const COSINE_DECIMALS = 3;

/**
 * For each of `units` weight maps of `size` values (flat, row after row), the other unit whose map
 * points most nearly the opposite way, and the cosine similarity of the two:
 * {partner: [...], cosine: [...]}, like mixerbook.mixing.opposite_phase_partners.
 */
export function oppositePhasePartners(weights, units, size) {
  if (units < 2) throw new RangeError(`opposite_phase_partners needs at least two units, got ${units}.`);
  if (weights.length !== units * size) {
    throw new RangeError(`expected ${units} x ${size} weights, got ${weights.length}.`);
  }
  const unitVectors = [];
  for (let k = 0; k < units; k++) {
    let norm = 0;
    for (let i = 0; i < size; i++) norm += weights[k * size + i] ** 2;
    norm = Math.max(Math.sqrt(norm), 1e-12);
    unitVectors.push(Array.from({length: size}, (_, i) => weights[k * size + i] / norm));
  }
  const partner = [], cosine = [];
  for (let a = 0; a < units; a++) {
    let best = Infinity, arg = -1;
    for (let b = 0; b < units; b++) {
      if (b === a) continue;
      let dot = 0;
      for (let i = 0; i < size; i++) dot += unitVectors[a][i] * unitVectors[b][i];
      if (dot < best) { best = dot; arg = b; }
    }
    partner.push(arg);
    cosine.push(best);
  }
  return {partner, cosine};
}

/** Columns of the mosaic of all units (as mixerbook.viz.plot_token_weights: ceil(sqrt(D))). */
export function mosaicColumns(units) {
  return Math.ceil(Math.sqrt(units));
}

/** `value` rounded to `digits` decimals from its exact binary value, as Python's round (exact ties aside). */
export function roundTo(value, digits) {
  return Number(value.toFixed(digits));
}

/** What the picture shows for block/unit, given the partners of the block. */
export function tokenWeightsView({block, unit}, partners) {
  return {block, unit, partner: partners.partner[unit], cosine: roundTo(partners.cosine[unit], COSINE_DECIMALS)};
}

function render({model, el}) {
  const numBlocks = model.get("num_blocks"), units = model.get("units"), g = model.get("grid");
  const size = g * g;
  const weights = float32View(model.get("weights"));
  const imageHeight = model.get("image_height"), imageWidth = model.get("image_width");
  const image = imageHeight > 0 ? bytesView(model.get("image")) : null;
  const partnersOf = new Map(); // block -> partners, computed on first use
  const partners = (b) => {
    if (!partnersOf.has(b)) {
      partnersOf.set(b, oppositePhasePartners(weights.subarray(b * units * size, (b + 1) * units * size), units, size));
    }
    return partnersOf.get(b);
  };
  const frame = explorerFrame(el, "token_weights",
    "Trọng số của MLP trộn token, vẽ trên lưới patch: mỗi nơ-ron ẩn nhìn vào những vị trí nào?");
  const [canvas, ctx] = makeCanvas(740, 330);
  frame.figure.append(canvas);
  const controls = {};
  if (numBlocks > 1) {
    controls.block = rangeControl("block", "Lớp Mixer", {min: 0, max: numBlocks - 1, value: model.get("block")},
      (v) => change({block: v}));
  }
  controls.unit = rangeControl("unit", "Nơ-ron ẩn", {min: 0, max: units - 1, value: model.get("unit")},
    (v) => change({unit: v}));
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  const at = (b, k, i) => weights[(b * units + k) * size + i];
  const maxAbs = (b, k) => {
    let m = 0;
    for (let i = 0; i < size; i++) m = Math.max(m, Math.abs(at(b, k, i)));
    return m || 1;
  };
  const rgb = ([r, gg, b]) => `rgb(${r},${gg},${b})`;

  function drawUnit(b, k, x0, y0, side) {
    const cell = side / g, lim = maxAbs(b, k);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(x0, y0, side, side);
    if (image) { // the photo, faint, under the weights
      const faint = offscreen(imageWidth, imageHeight, (i) => [image[i], image[i], image[i]]);
      ctx.save();
      ctx.imageSmoothingEnabled = true;
      ctx.globalAlpha = 0.5;
      ctx.drawImage(faint, x0, y0, side, side);
      ctx.restore();
    }
    ctx.save();
    ctx.globalAlpha = image ? 0.75 : 1;
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        ctx.fillStyle = rgb(diverging(at(b, k, r * g + c) / lim));
        ctx.fillRect(x0 + c * cell, y0 + r * cell, cell, cell);
      }
    }
    ctx.restore();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let q = 1; q < g; q++) {
      ctx.moveTo(x0 + q * cell, y0); ctx.lineTo(x0 + q * cell, y0 + side);
      ctx.moveTo(x0, y0 + q * cell); ctx.lineTo(x0 + side, y0 + q * cell);
    }
    ctx.stroke();
    if (cell >= 38) {
      ctx.font = "11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let r = 0; r < g; r++) {
        for (let c = 0; c < g; c++) {
          const v = at(b, k, r * g + c);
          ctx.fillStyle = Math.abs(v) > 0.6 * lim ? "#ffffff" : "#111111";
          ctx.fillText((v >= 0 ? "+" : "−") + Math.abs(v).toFixed(2), x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell);
        }
      }
    }
  }

  function draw() {
    const values = {block: numBlocks > 1 ? model.get("block") : 0, unit: model.get("unit")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const {block, unit} = values;
    const pairs = partners(block);
    const view = tokenWeightsView(values, pairs);
    const colors = themeColors(frame.root);
    const side = 204, top = 58, mosaicLeft = 2 * side + 90;
    const ncols = mosaicColumns(units), nrows = Math.ceil(units / ncols);
    const span = ncols * (g + 1) - 1, spanRows = nrows * (g + 1) - 1;
    const scale = Math.max(1, Math.min(Math.floor((740 - mosaicLeft - 8) / span), Math.floor(250 / spanRows)));
    const height = Math.max(top + side, top + spanRows * scale) + 40;
    resizeCanvas(canvas, ctx, 740, height);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = colors.fg;
    ctx.font = "12px sans-serif";
    ctx.fillText(`lớp Mixer ${block}, nơ-ron ẩn ${unit}`, 20 + side / 2, 18);
    ctx.fillText(`${size} trọng số trên lưới ${g}×${g} patch`, 20 + side / 2, 36);
    const cosText = (view.cosine >= 0 ? "+" : "−") + formatNumber(Math.abs(pairs.cosine[unit]), 2);
    ctx.fillText(`nơ-ron ${view.partner}: ngược pha nhất`, 50 + side * 1.5, 18);
    ctx.fillText(`(cosine ${cosText})`, 50 + side * 1.5, 36);
    ctx.fillText(`Cả ${units} nơ-ron ẩn của lớp Mixer ${block}`, mosaicLeft + (span * scale) / 2, 18);
    drawUnit(block, unit, 20, top, side);
    drawUnit(block, view.partner, 50 + side, top, side);
    // every unit, each scaled to its own max |w|, the chosen one and its partner outlined
    for (let k = 0; k < units; k++) {
      const r = Math.floor(k / ncols), q = k % ncols, lim = maxAbs(block, k);
      for (let i = 0; i < size; i++) {
        ctx.fillStyle = rgb(diverging(at(block, k, i) / lim));
        ctx.fillRect(mosaicLeft + (q * (g + 1) + (i % g)) * scale, top + (r * (g + 1) + Math.floor(i / g)) * scale,
                     scale, scale);
      }
    }
    for (const [k, color] of [[view.partner, colors.accent], [unit, colors.focus]]) {
      const r = Math.floor(k / ncols), q = k % ncols;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2.5;
      ctx.strokeRect(mosaicLeft + (q * (g + 1) - 0.5) * scale - 1, top + (r * (g + 1) - 0.5) * scale - 1,
                     (g + 1) * scale + 2, (g + 1) * scale + 2);
    }
    ctx.fillStyle = colors.muted;
    ctx.font = "11px sans-serif";
    ctx.fillText("đỏ: trọng số dương, xanh: âm; mỗi ô vuông là một patch; khung đỏ: nơ-ron đang chọn, " +
                 "khung xanh: nơ-ron ngược pha nhất", 370, height - 14);
    let hi = 0, lo = 0;
    for (let i = 1; i < size; i++) {
      if (at(block, unit, i) > at(block, unit, hi)) hi = i;
      if (at(block, unit, i) < at(block, unit, lo)) lo = i;
    }
    const cell = (i) => `(${Math.floor(i / g)}, ${i % g})`;
    const alt = `Lớp Mixer ${block}, nơ-ron ẩn ${unit}: ${size} trọng số trên lưới ${g}×${g} patch, dương nhất ở patch ` +
      `${cell(hi)}, âm nhất ở patch ${cell(lo)}; nơ-ron ngược pha nhất là ${view.partner} (cosine ${cosText}).`;
    report(frame, values, view, alt);
  }

  return start(model, controls, draw);
}

export default {render};
