// Feature-map explorer (chapter 4): choose an image, a stage of the CNN and a channel; see the
// input, that channel's map with its value range, and every channel of the stage. Python ships
// each (image, layer, channel) map quantised to uint8 with its own min/max (float32).
// Parity: `dequantise` and `mapStats` equal mixerbook.widgets.feature_maps.dequantise / map_stats.
import {clamp, explorerFrame, rangeControl, selectControl, setTraits, report, makeCanvas, resizeCanvas,
        drawGrey, drawImageData, bytesView, float32View, sequential, formatNumber, themeColors, start} from "./_common.js";

/** Decode a quantised map: lo + (hi - lo) * (q / 255) for each value (float64). */
export function dequantise(q, lo, hi) {
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = lo + (hi - lo) * (q[i] / 255);
  return out;
}

/** Round to 4 decimals (halves up), as mixerbook.widgets.feature_maps.round4. */
export function round4(value) {
  return Math.round(value * 1e4) / 1e4;
}

/** Index of the first largest value (row-major), as numpy.argmax. */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Where a quantised (height, width) map is brightest, and its decoded min and max (rounded to 4 decimals). */
export function mapStats(q, height, width, lo, hi) {
  if (q.length !== height * width) throw new RangeError(`A ${height}x${width} map needs ${height * width} values, got ${q.length}.`);
  const values = dequantise(q, lo, hi);
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  const at = argmax(q);
  return {argmax: [Math.floor(at / width), at % width], min: round4(min), max: round4(max)};
}

/** Offsets of each layer's block: uint8 values in `maps` and float32 values in `ranges` (N images). */
export function blockOffsets(layerShapes, n) {
  const out = [];
  let maps = 0, ranges = 0;
  for (const [c, h, w] of layerShapes) {
    out.push({maps, ranges});
    maps += n * c * h * w;
    ranges += n * c * 2;
  }
  return out;
}

/** One map of the shipped data: its uint8 values, min, max and size. */
export function mapAt(maps, ranges, layerShapes, n, layer, index, channel) {
  const [c, h, w] = layerShapes[layer];
  if (!(index >= 0 && index < n && channel >= 0 && channel < c)) {
    throw new RangeError(`No map for image ${index} of ${n}, channel ${channel} of ${c}.`);
  }
  const at = blockOffsets(layerShapes, n)[layer];
  const start = at.maps + (index * c + channel) * h * w;
  const r = at.ranges + 2 * (index * c + channel);
  return {q: maps.subarray(start, start + h * w), lo: ranges[r], hi: ranges[r + 1], height: h, width: w};
}

/** Columns of the mosaic of `channels` tiles (rows about half as many as columns). */
export function mosaicColumns(channels) {
  return Math.max(1, Math.min(channels, Math.ceil(Math.sqrt(2 * channels))));
}

/** Where cell (row, col) lies in a (height, width) map, in Vietnamese words ("phía trên, bên trái"). */
export function region(row, col, height, width) {
  const third = (i, n) => { const t = (i + 0.5) / n; return t < 1 / 3 ? 0 : t > 2 / 3 ? 2 : 1; };
  const v = third(row, height), u = third(col, width);
  if (v === 1 && u === 1) return "ở chính giữa";
  const vertical = ["phía trên", "ở giữa", "phía dưới"][v];
  const horizontal = ["bên trái", "chính giữa", "bên phải"][u];
  return `${vertical}, ${horizontal}`;
}

function fmt(value) {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return formatNumber(value, digits);
}

function render({model, el}) {
  const frame = explorerFrame(el, "feature_maps",
    "Chọn ảnh, tầng và kênh: mỗi kênh là một bộ lọc, sáng ở nơi nó tìm thấy mẫu của mình.");
  const [canvas, ctx] = makeCanvas(740, 260);
  frame.figure.append(canvas);
  const names = model.get("layer_names");
  const labels = model.get("layer_labels");
  const shapes = model.get("layer_shapes");
  const [n, imgH, imgW] = model.get("image_shape");
  const titles = model.get("titles");
  const images = bytesView(model.get("images"));
  const maps = bytesView(model.get("maps"));
  const ranges = float32View(model.get("ranges"));
  const layerIndex = (name) => Math.max(0, names.indexOf(name));
  const channelsOf = (name) => shapes[layerIndex(name)][0];

  const controls = {
    index: rangeControl("index", "Ảnh số", {min: 0, max: n - 1, value: model.get("index")},
      (v) => change({index: v})),
    layer: selectControl("layer", "Tầng", names.map((name, i) => [name, labels[i]]), model.get("layer"),
      (v) => change({layer: v})),
    channel: rangeControl("channel", "Kênh",
      {min: 0, max: channelsOf(model.get("layer")) - 1, value: model.get("channel")},
      (v) => change({channel: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    const layer = changes.layer ?? model.get("layer");
    // keep the channel inside the chosen layer
    changes.channel = clamp(changes.channel ?? model.get("channel"), 0, channelsOf(layer) - 1);
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const li = layerIndex(model.get("layer"));
    const [channels, h, w] = shapes[li];
    // a value set from a kernel may lie outside the data: show the nearest map
    const values = {index: clamp(model.get("index"), 0, n - 1), layer: names[li],
                    channel: clamp(model.get("channel"), 0, channels - 1)};
    controls.channel.setRange(0, channels - 1);
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const chosen = mapAt(maps, ranges, shapes, n, li, values.index, values.channel);
    const stats = mapStats(chosen.q, h, w, chosen.lo, chosen.hi);
    const colors = themeColors(frame.root);
    const label = labels[li];
    const title = titles.length ? titles[values.index] : "";

    // layout: input | chosen map + colour bar | mosaic of every channel
    const top = 48, side = 168;
    const imgScale = Math.min(side / imgH, 150 / imgW);
    const mapX = 20 + imgW * imgScale + 30, mapScale = Math.min(side / h, side / w);
    const barX = mapX + w * mapScale + 12;
    const mosaicX = barX + 80, mosaicW = 740 - mosaicX - 10;
    const cols = mosaicColumns(channels), rows = Math.ceil(channels / cols), gap = 3;
    const tile = Math.max(4, Math.min((mosaicW - (cols - 1) * gap) / cols, (side + 40 - (rows - 1) * gap) / rows));
    const tileW = tile, tileH = tile * h / w;
    const height = Math.max(top + side, top + rows * (tileH + gap)) + 30;
    resizeCanvas(canvas, ctx, 740, height);

    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    ctx.fillStyle = colors.fg;
    ctx.font = "bold 13px sans-serif";
    ctx.fillText(`Ảnh số ${values.index}${title ? " — " + title : ""}: ${label}, kênh ${values.channel}`, 370, 12);
    ctx.font = "12px sans-serif";
    ctx.fillText("Ảnh đầu vào", 20 + imgW * imgScale / 2, top - 12);
    ctx.fillText(`Kênh ${values.channel} (${h}×${w})`, mapX + w * mapScale / 2, top - 12);
    ctx.fillText(`Cả ${channels} kênh của ${label}`, mosaicX + mosaicW / 2, top - 12);

    drawGrey(ctx, images, imgH, imgW, 20, top, imgScale, values.index * imgH * imgW);
    ctx.strokeStyle = colors.muted;
    ctx.lineWidth = 1;
    ctx.strokeRect(19.5, top - 0.5, imgW * imgScale + 1, imgH * imgScale + 1);
    drawImageData(ctx, h, w, mapX, top, mapScale, (i) => sequential(chosen.q[i] / 255));
    if (Math.max(h, w) <= 16) { // cell borders on small maps
      ctx.strokeStyle = "rgba(255, 255, 255, 0.35)";
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      for (let k = 1; k < h; k++) { ctx.moveTo(mapX, top + k * mapScale); ctx.lineTo(mapX + w * mapScale, top + k * mapScale); }
      for (let k = 1; k < w; k++) { ctx.moveTo(mapX + k * mapScale, top); ctx.lineTo(mapX + k * mapScale, top + h * mapScale); }
      ctx.stroke();
    }
    // the brightest cell, ringed
    const [ar, ac] = stats.argmax;
    const ring = Math.max(mapScale, 8);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#ffffff";
    ctx.strokeRect(mapX + (ac + 0.5) * mapScale - ring / 2 - 1.5, top + (ar + 0.5) * mapScale - ring / 2 - 1.5, ring + 3, ring + 3);
    ctx.strokeStyle = "#d1495b";
    ctx.strokeRect(mapX + (ac + 0.5) * mapScale - ring / 2, top + (ar + 0.5) * mapScale - ring / 2, ring, ring);

    // colour bar with the map's value range
    const barH = h * mapScale, barW = 14;
    for (let k = 0; k < 64; k++) {
      const [r, g, b] = sequential(1 - k / 63);
      ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
      ctx.fillRect(barX, top + (k * barH) / 64, barW, barH / 64 + 0.5);
    }
    ctx.strokeStyle = colors.muted;
    ctx.lineWidth = 1;
    ctx.strokeRect(barX, top, barW, barH);
    ctx.textAlign = "left";
    ctx.fillStyle = colors.fg;
    ctx.fillText(fmt(chosen.hi), barX + barW + 6, top + 6);
    ctx.fillText(fmt((chosen.lo + chosen.hi) / 2), barX + barW + 6, top + barH / 2);
    ctx.fillText(fmt(chosen.lo), barX + barW + 6, top + barH - 6);

    // mosaic: each channel scaled on its own (the uint8 values are min..max already)
    for (let k = 0; k < channels; k++) {
      const m = mapAt(maps, ranges, shapes, n, li, values.index, k);
      const x = mosaicX + (k % cols) * (tileW + gap), y = top + Math.floor(k / cols) * (tileH + gap);
      drawImageData(ctx, h, w, x, y, tileW / w, (i) => sequential(m.q[i] / 255));
    }
    const sx = mosaicX + (values.channel % cols) * (tileW + gap), sy = top + Math.floor(values.channel / cols) * (tileH + gap);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = colors.focus;
    ctx.strokeRect(sx - 1.5, sy - 1.5, tileW + 3, tileH + 3);

    ctx.textAlign = "center";
    ctx.fillStyle = colors.muted;
    ctx.font = "11px sans-serif";
    ctx.fillText(`giá trị từ ${fmt(chosen.lo)} đến ${fmt(chosen.hi)}; ô viền đỏ: nơi sáng nhất (hàng ${ar}, cột ${ac})`,
      mapX + (w * mapScale) / 2 + 30, top + side + 16);

    const alt = `Ảnh số ${values.index}${title ? ` (${title})` : ""}, ${label}, kênh ${values.channel}: ` +
      (chosen.hi <= chosen.lo
        ? `bản đồ ${h}×${w} không đổi, mọi ô bằng ${fmt(chosen.lo)}.`
        : `bản đồ ${h}×${w} sáng nhất ở hàng ${ar}, cột ${ac}, ${region(ar, ac, h, w)} ` +
          `(giá trị ${fmt(chosen.hi)}; thấp nhất ${fmt(chosen.lo)}).`);
    report(frame, values, {index: values.index, layer: values.layer, channel: values.channel, shape: [h, w],
      argmax: stats.argmax, min: stats.min, max: stats.max}, alt);
  }

  return start(model, controls, draw);
}

export default {render};
