// Growth explorer (chapter 2): parameters and multiply-adds (MAC) of a flatten-MLP's first layer, a
// first 3x3 convolution and one Mixer layer as the image side R grows, on log-log axes (SVG).
// Parity: `growthSeries`/`growthAt` equal mixerbook.complexity.growth_series; `growthSides` and
// `growthMessage` equal growth_sides and growth_message of mixerbook/widgets/growth.py.
import {svg, explorerFrame, rangeControl, selectControl, setTraits, report, setStatus, themeColors,
        formatNumber, start} from "./_common.js";

/** Defaults of mixerbook.complexity.growth_series (Mixer-B/16's C, D_S, D_C; a 3x3 conv with 64 filters). */
export const GROWTH_DEFAULTS = {hidden: 1024, channels: 3, convChannels: 64, kernelSize: 3, patchSize: 16,
                                hiddenDim: 768, tokensMlpDim: 384, channelsMlpDim: 3072};
export const SIDE_FACTORS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];
export const R_MIN = 32, R_MAX = 1024, R_STEP = 8;
export const LAYER_NAMES = ["MLP", "CNN", "Mixer"];
const LABELS = {MLP: "MLP: lớp kết nối đầy đủ đầu tiên", CNN: "CNN: lớp tích chập đầu tiên",
                Mixer: "Mixer: một lớp Mixer"};
const COLORS = {MLP: "#d1495b", CNN: "#00798c", Mixer: "#edae49"};

function positive(values) {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive int, got ${v}.`);
  }
}

function safe(v) {
  if (!Number.isSafeInteger(v)) throw new RangeError(`count ${v} is too large to be exact in JavaScript.`);
  return v;
}

/** {params, macs} of the flatten-MLP's first layer and of the first convolution at side R (no P involved). */
export function firstLayers(resolution, options = {}) {
  const o = {...GROWTH_DEFAULTS, ...options};
  positive({resolution, hidden: o.hidden, channels: o.channels, conv_channels: o.convChannels,
            kernel_size: o.kernelSize});
  const r = resolution, k = o.kernelSize;
  const inputs = r * r * o.channels;
  return {
    inputs,
    MLP: {params: safe(inputs * o.hidden + o.hidden), macs: safe(inputs * o.hidden)},
    CNN: {params: safe(k * k * o.channels * o.convChannels + o.convChannels),
          macs: safe(r * r * k * k * o.channels * o.convChannels)},
  };
}

/** Inputs, S and {params, macs} of each layer at side R (mixerbook.complexity.growth_series at one side). */
export function growthAt(resolution, options = {}) {
  const o = {...GROWTH_DEFAULTS, ...options};
  positive({patch_size: o.patchSize});
  const first = firstLayers(resolution, o);
  if (resolution % o.patchSize !== 0) {
    throw new RangeError(`Resolution ${resolution} is not divisible by patch_size ${o.patchSize}.`);
  }
  const s = (resolution / o.patchSize) ** 2;
  const c = o.hiddenDim, ds = o.tokensMlpDim, dc = o.channelsMlpDim;
  const layers = {
    MLP: first.MLP,
    CNN: first.CNN,
    Mixer: {params: safe((s * ds + ds) + (ds * s + s) + (c * dc + dc) + (dc * c + c) + 2 * (2 * c)),
            macs: safe(c * 2 * (s * ds) + s * 2 * (c * dc))},
  };
  return {resolution, inputs: first.inputs, S: s, layers};
}

/** {MLP|CNN|Mixer: {params: [...], macs: [...]}} over `resolutions`, as growth_series returns it. */
export function growthSeries(resolutions, options = {}) {
  if (!resolutions.length) throw new RangeError("growthSeries needs at least one resolution.");
  const out = Object.fromEntries(LAYER_NAMES.map((n) => [n, {params: [], macs: []}]));
  for (const r of resolutions) {
    const at = growthAt(r, options);
    for (const n of LAYER_NAMES) {
      out[n].params.push(at.layers[n].params);
      out[n].macs.push(at.layers[n].macs);
    }
  }
  return out;
}

/** The sides drawn: multiples P*k (k in SIDE_FACTORS) from 32 to 2048 px, and R; sorted, unique. */
export function growthSides(resolution, patchSize) {
  const sides = new Set(SIDE_FACTORS.map((k) => patchSize * k).filter((v) => v >= 32 && v <= 2048));
  sides.add(resolution);
  return [...sides].sort((a, b) => a - b);
}

function gcd(a, b) { return b ? gcd(b, a % b) : a; }

/** The Vietnamese message shown when P does not divide R (null when it does). */
export function growthMessage(resolution, patchSize) {
  if (resolution % patchSize === 0) return null;
  const step = patchSize * R_STEP / gcd(patchSize, R_STEP);
  const below = Math.floor(resolution / step) * step;
  const picks = [below, below + step].filter((v) => v >= R_MIN && v <= R_MAX).map(String);
  return `Cạnh ảnh R = ${resolution} không chia hết cho cạnh patch P = ${patchSize}: Mixer cắt ảnh thành các ` +
    `patch ${patchSize}×${patchSize} nguyên vẹn. Hãy chọn R là bội của ${patchSize}, ví dụ ` +
    `${picks.join(" hoặc ")}, hoặc chọn P khác.`;
}

/**
 * What the explorer shows for these control values (the JSON of data-shows). When P does not divide
 * R, the message, and the two layers that do not depend on P (the Mixer is left out of the picture).
 */
export function growthView({resolution, hidden, channels, patch_size: patchSize}) {
  const message = growthMessage(resolution, patchSize);
  if (message) {
    const first = firstLayers(resolution, {hidden, channels});
    return {message, resolution, inputs: first.inputs, layers: {MLP: first.MLP, CNN: first.CNN}};
  }
  const at = growthAt(resolution, {hidden, channels, patchSize});
  return {resolution, S: at.S, inputs: at.inputs, layers: at.layers};
}

/** The series drawn: every layer over the sides, or only MLP and CNN when P does not divide R. */
export function drawnSeries(sides, {resolution, hidden, channels, patch_size: patchSize}) {
  if (!growthMessage(resolution, patchSize)) return growthSeries(sides, {hidden, channels, patchSize});
  const out = {MLP: {params: [], macs: []}, CNN: {params: [], macs: []}};
  for (const r of sides) {
    const first = firstLayers(r, {hidden, channels});
    for (const n of ["MLP", "CNN"]) {
      out[n].params.push(first[n].params);
      out[n].macs.push(first[n].macs);
    }
  }
  return out;
}

/** Ticks of a log axis of sides (as mixerbook.viz._log_ticks). */
export function sideTicks(lo, hi) {
  const ticks = [8, 16, 32, 64, 128, 224, 448, 896, 1792, 3584].filter((t) => t >= lo && t <= hi);
  return ticks;
}

const SUPERSCRIPT = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
                     "9": "⁹", "-": "⁻"};
/** "10⁵" for 5. */
export function powerOfTen(exponent) {
  return "10" + String(exponent).split("").map((ch) => SUPERSCRIPT[ch]).join("");
}

// ------------------------------------------------------------------ SVG drawing (browser only)

function logScale(lo, hi, a, b) {
  const l0 = Math.log(lo), l1 = Math.log(hi);
  return (v) => a + (Math.log(v) - l0) / (l1 - l0) * (b - a);
}

function panel(root, colors, {x0, y0, width, height, sides, series, key, title, ylabel, resolution}) {
  const names = Object.keys(series);
  const values = names.flatMap((n) => series[n][key]);
  let e0 = Math.floor(Math.log10(Math.min(...values)));
  let e1 = Math.ceil(Math.log10(Math.max(...values)));
  if (e1 === e0) e1 += 1;
  const xs = logScale(sides[0] / 1.15, sides[sides.length - 1] * 1.15, x0, x0 + width);
  const ys = logScale(10 ** e0, 10 ** e1, y0 + height, y0);
  const g = svg("g");
  g.append(svg("rect", {x: x0, y: y0, width, height, fill: "none", stroke: colors.muted, "stroke-width": 1}));
  const every = e1 - e0 > 8 ? 2 : 1;
  for (let e = e0; e <= e1; e++) {
    const y = ys(10 ** e);
    g.append(svg("line", {x1: x0, x2: x0 + width, y1: y, y2: y, stroke: colors.muted, "stroke-opacity": 0.3}));
    if ((e - e0) % every === 0) {
      g.append(svg("text", {x: x0 - 5, y: y + 4, "text-anchor": "end", "font-size": 11}, powerOfTen(e)));
    }
  }
  for (const t of sideTicks(sides[0], sides[sides.length - 1])) {
    const x = xs(t);
    g.append(svg("line", {x1: x, x2: x, y1: y0, y2: y0 + height, stroke: colors.muted, "stroke-opacity": 0.3}));
    g.append(svg("text", {x, y: y0 + height + 14, "text-anchor": "middle", "font-size": 11}, String(t)));
  }
  g.append(svg("text", {x: x0 + width / 2, y: y0 - 8, "text-anchor": "middle", "font-size": 13,
                        "font-weight": "bold"}, title));
  g.append(svg("text", {x: x0 + width / 2, y: y0 + height + 30, "text-anchor": "middle", "font-size": 11},
               "cạnh ảnh R (điểm ảnh, thang log)"));
  const ly = y0 + height / 2;
  g.append(svg("text", {x: x0 - 40, y: ly, "text-anchor": "middle", "font-size": 11,
                        transform: `rotate(-90 ${x0 - 40} ${ly})`}, ylabel + " (thang log)"));
  // the chosen side
  const xr = xs(resolution);
  g.append(svg("line", {x1: xr, x2: xr, y1: y0, y2: y0 + height, stroke: colors.fg, "stroke-dasharray": "5 3",
                        "stroke-width": 1}));
  const at = sides.indexOf(resolution);
  for (const n of names) {
    const points = series[n][key].map((v, i) => `${xs(sides[i]).toFixed(1)},${ys(v).toFixed(1)}`);
    g.append(svg("polyline", {points: points.join(" "), fill: "none", stroke: COLORS[n], "stroke-width": 2}));
    series[n][key].forEach((v, i) => {
      if (i !== at) g.append(svg("circle", {cx: xs(sides[i]), cy: ys(v), r: 2.5, fill: COLORS[n]}));
    });
    g.append(svg("circle", {cx: xr, cy: ys(series[n][key][at]), r: 5.5, fill: COLORS[n], stroke: colors.fg,
                            "stroke-width": 1.5}));
  }
  // the side's label, on a patch of background so that it stays readable over the curves
  const label = `R = ${resolution}`;
  const w = label.length * 6.6 + 6;
  const right = xr < x0 + width - w - 8;
  const lx = right ? xr + 3 : xr - 3 - w;
  g.append(svg("rect", {x: lx, y: y0 + 3, width: w, height: 15, fill: colors.bg, "fill-opacity": 0.85}));
  g.append(svg("text", {x: lx + 3, y: y0 + 14, "font-size": 11}, label));
  root.append(g);
}

function render({model, el}) {
  const frame = explorerFrame(el, "growth", "Ảnh lớn dần: tham số và phép tính của ba loại lớp tăng ra sao?");
  const select = (name) => model.get(name).map((v) => [v, String(v)]);
  const controls = {
    resolution: rangeControl("resolution", "Cạnh ảnh R", {min: R_MIN, max: R_MAX, step: R_STEP,
      value: model.get("resolution")}, (v) => change({resolution: v})),
    hidden: selectControl("hidden", "Nơ-ron ẩn của MLP", select("hidden_options"), model.get("hidden"),
      (v) => change({hidden: v})),
    channels: selectControl("channels", "Số kênh ảnh", select("channel_options"), model.get("channels"),
      (v) => change({channels: v})),
    patch_size: selectControl("patch_size", "Cạnh patch P (Mixer)", select("patch_options"),
      model.get("patch_size"), (v) => change({patch_size: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {resolution: model.get("resolution"), hidden: model.get("hidden"),
                    channels: model.get("channels"), patch_size: model.get("patch_size")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const view = growthView(values);
    setStatus(frame, view.message || "");
    const colors = themeColors(frame.root);
    const {resolution, patch_size: patchSize} = values;
    const sides = growthSides(resolution, patchSize);
    const series = drawnSeries(sides, values);
    const width = 740, height = 470;
    const root = svg("svg", {viewBox: `0 0 ${width} ${height}`, width, height, role: "presentation",
                             style: "max-width:100%;height:auto;font-family:inherit"});
    root.append(svg("text", {x: width / 2, y: 18, "text-anchor": "middle", "font-size": 14, "font-weight": "bold"},
                    "Số tham số và số phép nhân-cộng khi ảnh lớn dần"));
    const common = {y0: 56, width: 285, height: 230, sides, series, resolution};
    panel(root, colors, {...common, x0: 72, key: "params", title: "Tham số", ylabel: "số tham số"});
    panel(root, colors, {...common, x0: 440, key: "macs", title: "Phép nhân-cộng", ylabel: "MAC mỗi ảnh"});
    // legend, then the counts at R
    let lx = 40;
    const legendY = 342;
    for (const n of LAYER_NAMES) {
      const drawn = n in series;
      root.append(svg("line", {x1: lx, x2: lx + 22, y1: legendY, y2: legendY, stroke: COLORS[n], "stroke-width": 3,
                               "stroke-dasharray": drawn ? null : "2 3"}));
      if (drawn) root.append(svg("circle", {cx: lx + 11, cy: legendY, r: 3.5, fill: COLORS[n]}));
      root.append(svg("text", {x: lx + 28, y: legendY + 4, "font-size": 12}, LABELS[n] + (drawn ? "" : " (không vẽ)")));
      lx += 240;
    }
    const where = view.message ? "" : `, S = ${formatNumber(view.S)} patch ${patchSize}×${patchSize}`;
    root.append(svg("text", {x: 40, y: 374, "font-size": 12, "font-weight": "bold"},
      `Tại R = ${resolution} (${formatNumber(view.inputs)} số đầu vào${where}):`));
    LAYER_NAMES.forEach((n, i) => {
      const y = 396 + 22 * i;
      const counts = view.layers[n];
      root.append(svg("rect", {x: 40, y: y - 10, width: 12, height: 12, fill: COLORS[n]}));
      root.append(svg("text", {x: 60, y, "font-size": 12}, counts
        ? `${LABELS[n]}: ${formatNumber(counts.params)} tham số, ${formatNumber(counts.macs)} MAC mỗi ảnh`
        : `${LABELS[n]}: không có, vì P = ${patchSize} không chia hết R = ${resolution}`));
    });
    frame.figure.replaceChildren(root);
    const L = view.layers;
    const head = view.message
      ? `Đồ thị log-log theo cạnh ảnh R, đánh dấu R = ${resolution}, không có lớp Mixer vì P = ${patchSize} ` +
        `không chia hết R (${formatNumber(view.inputs)} số đầu vào): `
      : `Đồ thị log-log theo cạnh ảnh R, đánh dấu R = ${resolution} (S = ${formatNumber(view.S)} patch ` +
        `${patchSize}×${patchSize}, ${formatNumber(view.inputs)} số đầu vào): `;
    const alt = head + `lớp đầu của MLP (${values.hidden} nơ-ron ẩn) có ${formatNumber(L.MLP.params)} tham số và ` +
      `${formatNumber(L.MLP.macs)} MAC; lớp tích chập đầu tiên có ${formatNumber(L.CNN.params)} tham số, không ` +
      `đổi theo R, và ${formatNumber(L.CNN.macs)} MAC` + (L.Mixer
        ? `; một lớp Mixer có ${formatNumber(L.Mixer.params)} tham số và ${formatNumber(L.Mixer.macs)} MAC.` : ".");
    report(frame, values, view, alt);
  }

  return start(model, controls, draw);
}

export default {render};
