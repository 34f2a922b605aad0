// Patch-grid explorer (chapter 5): the photo cut into P x P patches (a chosen patch outlined), the table
// of flattened patches (one row of C_in*P*P pixel values per patch) and a sketch of the S x C token table.
// Parity: `followPatch`, `patchMessage`, `patchBox` equal follow_patch, patch_message, patch_box of
// mixerbook/widgets/patch_grid.py; `patchifyRow` equals a row of mixerbook.models.mixer.patchify.
import {clamp, explorerFrame, rangeControl, selectControl, setTraits, report, setStatus, makeCanvas,
        resizeCanvas, themeColors, bytesView, formatNumber, start, offscreen} from "./_common.js";

/** The patch for size newP that covers the centre of patch `index` for size oldP (whole patches only). */
export function followPatch(index, oldP, newP, side) {
  const oldGrid = Math.max(1, Math.floor(side / oldP)), newGrid = Math.max(1, Math.floor(side / newP));
  const r = Math.floor(index / oldGrid), c = index % oldGrid;
  const y = r * oldP + Math.floor(oldP / 2), x = c * oldP + Math.floor(oldP / 2);
  return Math.min(Math.floor(y / newP), newGrid - 1) * newGrid + Math.min(Math.floor(x / newP), newGrid - 1);
}

/** The Vietnamese message shown instead of the picture when P does not divide the side (null when it does). */
export function patchMessage(side, p, options) {
  if (side % p === 0) return null;
  const fits = options.filter((q) => side % q === 0).map(String);
  return `Cạnh ảnh ${side} không chia hết cho cạnh patch P = ${p} (${side} = ${Math.floor(side / p)}·${p} + ` +
    `${side % p}): các patch phải phủ kín ảnh mà không chồng lên nhau. Hãy chọn P trong ${fits.join(", ")}.`;
}

/** Pixel box [top, left, bottom, right] (bottom and right excluded) of patch `index`, row-major. */
export function patchBox(index, p, side) {
  const grid = Math.floor(side / p);
  const r = Math.floor(index / grid), c = index % grid;
  return [r * p, c * p, (r + 1) * p, (c + 1) * p];
}

/** Row `index` of patchify: the patch's values channel first, then its rows, then its columns. */
export function patchifyRow(pixels, channels, side, p, index) {
  const [top, left] = patchBox(index, p, side);
  const out = new Array(channels * p * p);
  let n = 0;
  for (let ch = 0; ch < channels; ch++) {
    for (let i = 0; i < p; i++) {
      const base = ch * side * side + (top + i) * side + left;
      for (let j = 0; j < p; j++) out[n++] = pixels[base + j];
    }
  }
  return out;
}

/** What the picture shows (the JSON of data-shows) for the control values and the shipped photo. */
export function patchView({patch_size: p, hidden_dim: c, highlight}, {side, channels, options, pixels}) {
  const message = patchMessage(side, p, options);
  if (message) return {patch_size: p, hidden_dim: c, message};
  const grid = side / p;
  const k = clamp(highlight, 0, grid * grid - 1);
  const row = patchifyRow(pixels, channels, side, p, k);
  return {patch_size: p, hidden_dim: c, S: grid * grid, grid, highlight: k, row: Math.floor(k / grid), col: k % grid,
          box: patchBox(k, p, side), row_values: row.length, row_sum: row.reduce((a, b) => a + b, 0)};
}

// ------------------------------------------------------------------ drawing (browser only)
function photoCanvas(pixels, channels, side) {
  const plane = side * side;
  return offscreen(side, side, (i) => (channels === 3 ? [pixels[i], pixels[plane + i], pixels[2 * plane + i]]
    : [pixels[i], pixels[i], pixels[i]]));
}

/** The table of flattened patches as a grey picture: S rows of channels*P*P values. */
function rawTableCanvas(pixels, channels, side, p) {
  const grid = side / p, s = grid * grid, width = channels * p * p;
  const values = new Uint8Array(s * width);
  for (let k = 0; k < s; k++) values.set(patchifyRow(pixels, channels, side, p, k), k * width);
  return offscreen(width, s, (i) => [values[i], values[i], values[i]]);
}

function render({model, el}) {
  const frame = explorerFrame(el, "patch_grid", "Cắt ảnh thành patch: bao nhiêu patch, và bảng S × C trông thế nào?");
  const side = model.get("side"), channels = model.get("channels");
  const pixels = bytesView(model.get("image"));
  const photo = photoCanvas(pixels, channels, side);
  const tables = new Map();
  const rawTable = (p) => {
    if (!tables.has(p)) tables.set(p, rawTableCanvas(pixels, channels, side, p));
    return tables.get(p);
  };
  const [canvas, ctx] = makeCanvas(760, 360);
  frame.figure.append(canvas);
  const grid0 = Math.max(1, Math.floor(side / model.get("patch_size")));
  const controls = {
    patch_size: selectControl("patch_size", "Cạnh patch P", model.get("patch_options").map((v) => [v, String(v)]),
      model.get("patch_size"), (v) => change({patch_size: v})),
    hidden_dim: selectControl("hidden_dim", "Số kênh C", model.get("hidden_options").map((v) => [v, String(v)]),
      model.get("hidden_dim"), (v) => change({hidden_dim: v})),
    highlight: rangeControl("highlight", "Patch số", {min: 0, max: grid0 * grid0 - 1, value: model.get("highlight")},
      (v) => change({highlight: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    if ("patch_size" in changes) { // keep the same spot of the photo
      changes.highlight = followPatch(model.get("highlight"), model.get("patch_size"), changes.patch_size, side);
    }
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const p = model.get("patch_size"), c = model.get("hidden_dim");
    const grid = Math.max(1, Math.floor(side / p));
    const values = {patch_size: p, hidden_dim: c, highlight: clamp(model.get("highlight"), 0, grid * grid - 1)};
    controls.highlight.setRange(0, grid * grid - 1);
    for (const [name, control] of Object.entries(controls)) control.set(values[name]);
    const view = patchView(values, {side, channels, options: model.get("patch_options"), pixels});
    controls.highlight.input.disabled = !!view.message;
    setStatus(frame, view.message || "");
    if (view.message) {
      canvas.style.display = "none";
      report(frame, values, view, `Không vẽ được: ${view.message}`);
      return;
    }
    canvas.style.display = "";
    const colors = themeColors(frame.root);
    const W = 760, H = 360;
    resizeCanvas(canvas, ctx, W, H);
    const k = view.highlight, s = view.S, g = view.grid;
    const top = 52, size = 224, scale = size / side;
    ctx.textBaseline = "alphabetic";
    const title = (x, lines, align = "center") => {
      ctx.fillStyle = colors.fg;
      ctx.textAlign = align;
      lines.forEach((line, i) => {
        ctx.font = i === 0 ? "bold 12px sans-serif" : "12px sans-serif";
        ctx.fillText(line, x, 16 + 16 * i);
      });
    };
    // 1. the photo and its grid
    const x0 = 8;
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(photo, x0, top, size, size);
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    ctx.lineWidth = g <= 16 ? 1 : 0.6;
    ctx.beginPath();
    for (let i = 1; i < g; i++) {
      const t = i * p * scale;
      ctx.moveTo(x0 + t, top); ctx.lineTo(x0 + t, top + size);
      ctx.moveTo(x0, top + t); ctx.lineTo(x0 + size, top + t);
    }
    ctx.stroke();
    if (g <= 8) {
      ctx.font = "11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let i = 0; i < s; i++) {
        const cx = x0 + ((i % g) + 0.5) * p * scale, cy = top + (Math.floor(i / g) + 0.5) * p * scale;
        ctx.fillStyle = i === k ? "#c0392b" : "rgba(255, 255, 255, 0.75)";
        ctx.fillRect(cx - 10, cy - 8, 20, 16);
        ctx.fillStyle = i === k ? "#ffffff" : "#111111";
        ctx.fillText(String(i), cx, cy + 0.5);
      }
      ctx.textBaseline = "alphabetic";
    }
    const [bt, bl, bb, br] = view.box;
    const box = [x0 + bl * scale, top + bt * scale, (br - bl) * scale, (bb - bt) * scale];
    ctx.fillStyle = "rgba(255, 255, 255, 0.3)";
    ctx.fillRect(...box);
    ctx.strokeStyle = colors.focus;
    ctx.lineWidth = 3;
    ctx.strokeRect(...box);
    title(x0 + size / 2, [`Ảnh ${side}×${side}, patch ${p}×${p}`, `lưới ${g}×${g} → S = ${formatNumber(s)} patch`]);
    // 2. the table of flattened patches (real pixel values, cut by patchify's order)
    const tx = 292, tw = 200, rowH = size / s, rowY = top + k * rowH;
    const width = channels * p * p;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(rawTable(p), tx, top, tw, size);
    ctx.strokeStyle = colors.near;
    ctx.lineWidth = 1;
    for (let ch = 1; ch < channels; ch++) {
      ctx.beginPath();
      ctx.moveTo(tx + tw * ch / channels, top); ctx.lineTo(tx + tw * ch / channels, top + size);
      ctx.stroke();
    }
    title(tx + tw / 2, [`Patch làm phẳng: ${formatNumber(s)} × ${formatNumber(width)}`,
                        `(mỗi hàng ${channels}·${p}·${p} giá trị` + (channels === 3 ? ": R | G | B)" : ")")]);
    // 3. the S x C token table, sketched: its shape, not its values
    const cx0 = 540, cw = Math.round(60 + 150 * Math.min(1, c / 1280));
    ctx.fillStyle = colors.cell;
    ctx.fillRect(cx0, top, cw, size);
    if (s <= 64) {
      ctx.strokeStyle = colors.bg;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 1; i < s; i++) { ctx.moveTo(cx0, top + i * rowH); ctx.lineTo(cx0 + cw, top + i * rowH); }
      ctx.stroke();
    }
    title(cx0 + 105, [`Bảng S × C = ${formatNumber(s)} × ${formatNumber(c)}`, "(sau phép chiếu tuyến tính chung)"]);
    // the chosen row in both tables, joined to the patch
    ctx.strokeStyle = colors.focus;
    ctx.fillStyle = colors.focus;
    ctx.lineWidth = 2;
    const band = Math.max(3, rowH);
    const bandY = rowY + rowH / 2 - band / 2;
    ctx.strokeRect(tx - 1, bandY, tw + 2, band);
    ctx.fillRect(cx0, bandY, cw, band);
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x0 + size + 3, box[1] + box[3] / 2); ctx.lineTo(tx - 4, rowY + rowH / 2);
    ctx.moveTo(tx + tw + 4, rowY + rowH / 2); ctx.lineTo(cx0 - 4, rowY + rowH / 2);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = "11px sans-serif";
    ctx.fillStyle = colors.muted;
    ctx.textAlign = "center";
    ctx.fillText(`giá trị điểm ảnh của patch`, tx + tw / 2, top + size + 15);
    ctx.fillText(`kênh 0 … ${c - 1}`, cx0 + cw / 2, top + size + 15);
    // numbers
    const params = p * p * channels * c + c;
    ctx.textAlign = "left";
    ctx.fillStyle = colors.fg;
    ctx.font = "12px sans-serif";
    ctx.fillText(`Patch số ${k} (hàng ${view.row}, cột ${view.col}; điểm ảnh ${bt}–${bb - 1} × ${bl}–${br - 1}) ` +
                 `thành hàng số ${k} của cả hai bảng.`, 8, H - 28);
    ctx.fillText(`Phép chiếu dùng chung: ${p}·${p}·${channels} = ${formatNumber(width)} giá trị vào, ` +
                 `${formatNumber(c)} kênh ra, ${p}·${p}·${channels}·${c} + ${c} = ${formatNumber(params)} tham số.`,
                 8, H - 10);
    ctx.textAlign = "right";
    ctx.fillStyle = colors.muted;
    ctx.font = "11px sans-serif";
    ctx.fillText("bảng bên phải: chỉ vẽ hình dạng, không vẽ giá trị", W - 8, H - 46);
    const alt = `Ảnh ${side}×${side} cắt thành lưới ${g}×${g} patch ${p}×${p}, S = ${formatNumber(s)}; patch số ${k} ` +
      `(hàng ${view.row}, cột ${view.col}, điểm ảnh hàng ${bt}–${bb - 1}, cột ${bl}–${br - 1}) được tô viền đỏ và là ` +
      `hàng số ${k} của bảng patch làm phẳng ${formatNumber(s)} × ${formatNumber(width)} ` +
      `(${channels}·${p}·${p} giá trị mỗi hàng) và của bảng S × C = ${formatNumber(s)} × ${formatNumber(c)}.`;
    report(frame, values, view, alt);
  }

  return start(model, controls, draw);
}

export default {render};
