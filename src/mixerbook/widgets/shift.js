// Shift explorer (chapter 1): move an image a few pixels; see how many entries of its flat vector
// change. Parity: `shiftImage` equals mixerbook.data.shift_images (zero fill), and `changedCount`
// counts the entries that differ, as shift.py's `shows` does with shift_images.
import {bytesView, clamp, explorerFrame, rangeControl, setTraits, report, makeCanvas, resizeCanvas, drawGrey,
        themeColors, formatNumber, start} from "./_common.js";

/**
 * mixerbook.data.shift_images for one (h, w) image (row-major, starting at `offset` of `pixels`):
 * dx pixels to the right (negative: left), dy pixels down (negative: up), the uncovered border
 * filled with zeros.
 */
export function shiftImage(pixels, h, w, dx, dy, offset = 0) {
  if (!(Number.isInteger(dx) && Number.isInteger(dy)) || Math.abs(dx) >= w || Math.abs(dy) >= h) {
    throw new RangeError(`Shift (${dx}, ${dy}) must be smaller than the image size (${h}, ${w}).`);
  }
  const out = new Uint8Array(h * w);
  for (let r = Math.max(0, dy); r < h - Math.max(0, -dy); r++) {
    for (let c = Math.max(0, dx); c < w - Math.max(0, -dx); c++) {
      out[r * w + c] = pixels[offset + (r - dy) * w + (c - dx)];
    }
  }
  return out;
}

/** How many entries of two flat vectors differ (`offset` into `a`). */
export function changedCount(a, b, offset = 0) {
  let changed = 0;
  for (let i = 0; i < b.length; i++) if (a[offset + i] !== b[i]) changed += 1;
  return changed;
}

/** The shifted image and the count of flat entries that changed, for one image of a stack. */
export function shiftView(pixels, h, w, index, dx, dy) {
  const offset = index * h * w;
  const shifted = shiftImage(pixels, h, w, dx, dy, offset);
  return {shifted, changed: changedCount(pixels, shifted, offset), total: h * w, offset};
}

/** Vietnamese words for a shift: "2 điểm ảnh sang phải, 1 điểm ảnh lên trên". */
export function shiftWords(dx, dy) {
  const parts = [];
  if (dx) parts.push(`${Math.abs(dx)} điểm ảnh sang ${dx > 0 ? "phải" : "trái"}`);
  if (dy) parts.push(`${Math.abs(dy)} điểm ảnh ${dy > 0 ? "xuống dưới" : "lên trên"}`);
  return parts.length ? parts.join(", ") : "không dịch";
}

/** A number for a formula: negative ones in brackets, with a minus sign. */
function signed(value) {
  return value < 0 ? `(${formatNumber(value)})` : String(value);
}

function wrapText(ctx, text, maxWidth) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    const candidate = line ? line + " " + word : word;
    if (line && ctx.measureText(candidate).width > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function render({model, el}) {
  const frame = explorerFrame(el, "shift", "Dịch ảnh vài điểm ảnh: vector phẳng thay đổi bao nhiêu?");
  const [canvas, ctx] = makeCanvas(744, 420);
  frame.figure.append(canvas);
  const count = model.get("count");
  const h = model.get("height");
  const w = model.get("width");
  const maxShift = model.get("max_shift");
  const images = bytesView(model.get("images"));
  const labels = model.get("labels") || [];
  const classNames = model.get("class_names") || [];

  const controls = {
    index: rangeControl("index", "Ảnh số", {min: 0, max: count - 1, value: model.get("index")},
      (v) => change({index: v})),
    dx: rangeControl("dx", "Sang phải (dx)", {min: -maxShift, max: maxShift, value: model.get("dx")},
      (v) => change({dx: v})),
    dy: rangeControl("dy", "Xuống dưới (dy)", {min: -maxShift, max: maxShift, value: model.get("dy")},
      (v) => change({dy: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    if (changes.index !== undefined) changes.index = clamp(changes.index, 0, count - 1);
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {index: model.get("index"), dx: model.get("dx"), dy: model.get("dy")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const view = shiftView(images, h, w, values.index, values.dx, values.dy);
    const colors = themeColors(frame.root);
    const label = labels[values.index];
    const name = (label !== undefined && label !== null && classNames[label] !== undefined)
      ? `${classNames[label]} (ảnh số ${values.index})` : `Ảnh số ${values.index}`;
    const fraction = view.changed / view.total;
    const percent = `${formatNumber(100 * fraction, 0)}%`;

    const width = 744, left = 16;
    const scale = Math.max(1, Math.floor(150 / Math.max(h, w)));
    const imgTop = 56, imgH = h * scale, imgW = w * scale;
    const chartLeft = 70, chartRight = width - 16;
    const chartTop = imgTop + imgH + 62, chartH = 150;
    const height = chartTop + chartH + 44;
    resizeCanvas(canvas, ctx, width, height);
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    ctx.fillStyle = colors.fg;
    ctx.font = "bold 14px sans-serif";
    ctx.fillText(`${name}: ${shiftWords(values.dx, values.dy)}`, width / 2, 14);

    // the two images
    ctx.font = "13px sans-serif";
    const xs = [left, left + imgW + 24];
    ["Ảnh gốc", "Ảnh dịch chuyển"].forEach((t, k) => ctx.fillText(t, xs[k] + imgW / 2, imgTop - 14));
    drawGrey(ctx, images, h, w, xs[0], imgTop, scale, view.offset);
    drawGrey(ctx, view.shifted, h, w, xs[1], imgTop, scale);
    ctx.strokeStyle = colors.muted;
    for (const x of xs) ctx.strokeRect(x - 0.5, imgTop - 0.5, imgW + 1, imgH + 1);

    // what changed, in words
    const textLeft = xs[1] + imgW + 32;
    ctx.textAlign = "left";
    ctx.font = "bold 22px sans-serif";
    ctx.fillText(`${formatNumber(view.changed)} / ${formatNumber(view.total)}`, textLeft, imgTop + 16);
    ctx.font = "13px sans-serif";
    ctx.fillText(`vị trí của vector phẳng đổi giá trị (${percent})`, textLeft, imgTop + 42);
    const step = values.dy * w + values.dx;
    const sentences = step === 0
      ? ["Không dịch: vector giữ nguyên."]
      : [`Vị trí i giờ giữ giá trị cũ của vị trí i ${step > 0 ? "−" : "+"} ${Math.abs(step)} ` +
         `(dy·W + dx = ${signed(values.dy)}·${w} + ${signed(values.dx)} = ${formatNumber(step)}); ` +
         "phần lộ ra được lấp bằng 0.",
         `Mắt người vẫn thấy cùng một vật, còn một mạng đọc vector phẳng thấy ${percent} số đầu vào ` +
         "của nó đã khác."];
    ctx.fillStyle = colors.fg;
    let lineY = imgTop + 72;
    for (const sentence of sentences) {
      for (const line of wrapText(ctx, sentence, width - textLeft - 12)) {
        ctx.fillText(line, textLeft, lineY);
        lineY += 18;
      }
      lineY += 4;
    }

    // the difference of the two flat vectors, position by position
    const n = view.total;
    let peak = 1;
    for (let i = 0; i < n; i++) peak = Math.max(peak, images[view.offset + i]);
    const zeroY = chartTop + chartH / 2;
    const perBar = (chartRight - chartLeft) / n;
    ctx.textAlign = "center";
    ctx.font = "13px sans-serif";
    ctx.fillText(`Hiệu hai vector phẳng: ${percent} vị trí đổi giá trị (xanh: sáng lên, đỏ: tối đi)`, (chartLeft + chartRight) / 2, chartTop - 16);
    ctx.strokeStyle = colors.muted;
    ctx.lineWidth = 1;
    ctx.strokeRect(chartLeft - 0.5, chartTop - 0.5, chartRight - chartLeft + 1, chartH + 1);
    for (let i = 0; i < n; i++) {
      const d = (view.shifted[i] - images[view.offset + i]) / peak;
      if (d === 0) continue;
      ctx.fillStyle = d > 0 ? colors.accent : colors.focus;
      const barH = d * (chartH / 2 - 2);
      ctx.fillRect(chartLeft + i * perBar, d > 0 ? zeroY - barH : zeroY, Math.max(1, perBar), Math.abs(barH));
    }
    ctx.fillStyle = colors.muted;
    ctx.fillRect(chartLeft, zeroY - 0.5, chartRight - chartLeft, 1);
    // axes: a tick at the start of every image row, labelled every quarter of the rows
    ctx.fillStyle = colors.fg;
    ctx.font = "11px sans-serif";
    const labelEvery = Math.max(1, Math.round(h / 4));
    for (let r = 0; r <= h; r++) {
      const x = chartLeft + r * w * perBar;
      const long = r % labelEvery === 0 || r === h;
      ctx.fillRect(x - 0.5, chartTop + chartH, 1, long ? 6 : 3);
      if (long) ctx.fillText(String(r * w), x, chartTop + chartH + 14);
    }
    ctx.fillText("vị trí trong vector (mỗi vạch nhỏ: đầu một hàng ảnh)", (chartLeft + chartRight) / 2,
                 chartTop + chartH + 32);
    ctx.textAlign = "right";
    [[1, "+1"], [0, "0"], [-1, "−1"]].forEach(([v, t]) => ctx.fillText(t, chartLeft - 6,
      zeroY - v * (chartH / 2 - 2)));
    ctx.save();
    ctx.translate(22, zeroY);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("thay đổi (tỉ lệ)", 0, 0);
    ctx.restore();

    const alt = `${name}, dịch ${shiftWords(values.dx, values.dy)}: ${view.changed} trên ${view.total} vị trí ` +
      `của vector phẳng đổi giá trị (${percent}).`;
    report(frame, values, {index: values.index, dx: values.dx, dy: values.dy, changed: view.changed,
                           total: view.total}, alt);
  }

  return start(model, controls, draw);
}

export default {render};
