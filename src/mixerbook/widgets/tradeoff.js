// Trade-off explorer (chapter 8): ImageNet top-1 against throughput (img/sec per TPU-v3 core, log scale)
// for the rows of the MLP-Mixer paper's Tables 2-3, drawn in SVG. Python ships the rows and the report's
// lines (mixerbook.paper); `tradeoffView` applies the controls' filters, as shows() does in Python.
import {svg, explorerFrame, selectControl, checkboxControl, setTraits, report, themeColors, formatNumber,
        start} from "./_common.js";

export const ALL = "Tất cả";
export const TABLES = {"Bảng 2 và 3": [2, 3], "Bảng 2": [2], "Bảng 3": [3]};
const PRETRAIN_COLORS = {"ImageNet-1k": "#f4a261", "ImageNet-21k": "#2a9d8f", "JFT-300M": "#264653"};
// on a dark page the dark blue-grey of JFT-300M would vanish: a lighter blue there
const PRETRAIN_COLORS_DARK = {...PRETRAIN_COLORS, "JFT-300M": "#6fa8dc"};
const OTHER_COLOR = "#9a9a9a";
const FOCUS = "#d1495b";
const FAMILY_NAMES = {Mixer: "MLP-Mixer", ViT: "ViT", BiT: "BiT (ResNet)", other: "mô hình khác"};
const PRETRAIN_NAMES = {"ImageNet-1k": "ImageNet-1k", "ImageNet-21k": "ImageNet-21k", "JFT-300M": "JFT-300M",
                        "unlabelled/weak": "không nhãn / nhãn yếu"};

/**
 * What the picture shows: the rows drawn (those with a throughput, of the chosen tables), those in full
 * strength (of the chosen pre-training set, or all) and the report's wrongly paired lines drawn.
 */
export function tradeoffView(rows, claims, {pretrain, tables, show_report: showReport}) {
  const wanted = TABLES[tables];
  if (!wanted) throw new RangeError(`Unknown table choice ${tables}.`);
  const drawn = rows.filter((r) => r.throughput !== null && r.throughput !== undefined && wanted.includes(r.table));
  const full = drawn.filter((r) => pretrain === ALL || r.pretrain === pretrain);
  const shown = showReport ? claims.filter((c) => !c.paired) : [];
  return {points: drawn.map((r) => r.key), highlighted: full.map((r) => r.key), report: shown.map((c) => c.model)};
}

/** Accuracy axis limits: multiples of 5 around every value (rows and report lines), fixed for all filters. */
export function accuracyRange(rows, claims) {
  const values = [...rows.map((r) => r.top1), ...claims.map((c) => c.top1)];
  return [5 * Math.floor((Math.min(...values) - 1) / 5), 5 * Math.ceil((Math.max(...values) + 0.5) / 5)];
}

/** Ticks of the log throughput axis: 1, 3, 10, 30, ... inside [lo, hi]. */
export function throughputTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 3]) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

/** True for a dark colour ("#rrggbb", "#rgb" or "rgb(r, g, b)"), by its relative luminance. */
export function isDark(color) {
  let rgb = null;
  const text = String(color).trim();
  if (/^#[0-9a-f]{6}$/i.test(text)) rgb = [1, 3, 5].map((i) => parseInt(text.slice(i, i + 2), 16));
  else if (/^#[0-9a-f]{3}$/i.test(text)) rgb = [1, 2, 3].map((i) => parseInt(text[i] + text[i], 16));
  else {
    const m = text.match(/rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/);
    if (m) rgb = m.slice(1, 4).map(Number);
  }
  if (!rgb) return false;
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 110;
}

/** Boxes overlap (x, y, w, h). */
function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Greedy label placement: for each label {x, y, width} (a point and its text width) the first of ten
 * places around the point that overlaps no placed label and no obstacle (points, arrows: [x, y]) and
 * stays inside `bounds`. Returns [{x, y, anchor} | null] (text position, "start" or "end"; null: no room).
 */
export function placeLabels(labels, obstacles, bounds, height = 11) {
  const placed = [];
  const blocks = obstacles.map(([x, y]) => ({x: x - 5, y: y - 5, w: 10, h: 10}));
  const tries = [[7, 4, "start"], [-7, 4, "end"], [7, -5, "start"], [7, 13, "start"], [-7, -5, "end"],
                 [-7, 13, "end"], [9, -13, "start"], [9, 21, "start"], [-9, -13, "end"], [-9, 21, "end"]];
  return labels.map((label) => {
    for (const [dx, dy, anchor] of tries) {
      const x = label.x + dx, y = label.y + dy;
      const box = {x: anchor === "start" ? x : x - label.width, y: y - height + 2, w: label.width, h: height};
      const inside = box.x >= bounds.x0 && box.x + box.w <= bounds.x1 && box.y >= bounds.y0 &&
        box.y + box.h <= bounds.y1;
      if (inside && !placed.some((p) => overlaps(p, box)) && !blocks.some((p) => overlaps(p, box))) {
        placed.push(box);
        return {x, y, anchor};
      }
    }
    return null;
  });
}

// ------------------------------------------------------------------ SVG drawing (browser only)

/** A marker of a model family at (x, y): circle (Mixer), square (ViT), triangle (BiT), diamond (others). */
function marker(family, x, y, attrs) {
  const r = 5.5;
  if (family === "Mixer") return svg("circle", {cx: x, cy: y, r, ...attrs});
  if (family === "ViT") {
    return svg("rect", {x: x - r + 0.5, y: y - r + 0.5, width: 2 * r - 1, height: 2 * r - 1, ...attrs});
  }
  const pts = family === "BiT" ? [[0, -r - 1], [r + 0.5, r - 1], [-r - 0.5, r - 1]]
    : [[0, -r - 1], [r + 1, 0], [0, r + 1], [-r - 1, 0]];
  return svg("polygon", {points: pts.map(([dx, dy]) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`).join(" "),
                         ...attrs});
}

function cross(x, y, color) {
  const g = svg("g", {stroke: color, "stroke-width": 2.5, "stroke-linecap": "round"});
  g.append(svg("line", {x1: x - 5, y1: y - 5, x2: x + 5, y2: y + 5}),
           svg("line", {x1: x - 5, y1: y + 5, x2: x + 5, y2: y - 5}));
  return g;
}

function arrow(x1, y1, x2, y2, color) {
  const g = svg("g");
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
  const ex = x2 - ux * 7, ey = y2 - uy * 7; // stop short of the target's marker
  g.append(svg("line", {x1: x1 + ux * 7, y1: y1 + uy * 7, x2: ex, y2: ey, stroke: color, "stroke-width": 1.4,
                        "stroke-dasharray": "5 3"}));
  const hx = ex - ux * 8, hy = ey - uy * 8;
  g.append(svg("polygon", {fill: color, points: [[ex, ey], [hx - uy * 4, hy + ux * 4], [hx + uy * 4, hy - ux * 4]]
    .map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")}));
  return g;
}

function textWidth(text, size = 11) {
  return text.length * size * 0.6;
}

/** Points every `step` px along the segment from (x1, y1) to (x2, y2). */
function along(x1, y1, x2, y2, step = 6) {
  const n = Math.max(1, Math.round(Math.hypot(x2 - x1, y2 - y1) / step));
  return Array.from({length: n + 1}, (_, i) => [x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n]);
}

function render({model, el}) {
  const frame = explorerFrame(el, "tradeoff", "Độ chính xác và tốc độ: mỗi điểm là một dòng của bài báo");
  const rows = model.get("rows");
  const claims = model.get("claims");
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const options = (name) => model.get(name).map((v) => [v, v]);
  const controls = {
    pretrain: selectControl("pretrain", "Làm nổi tập tiền huấn luyện", options("pretrain_options"),
      model.get("pretrain"), (v) => change({pretrain: v})),
    tables: selectControl("tables", "Dòng của", options("table_options"), model.get("tables"),
      (v) => change({tables: v})),
    show_report: checkboxControl("show_report", "Hiện các cặp báo cáo ghép nhầm", model.get("show_report"),
      (v) => change({show_report: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);
  const [yLo, yHi] = accuracyRange(rows, claims);
  const xLo = 10, xHi = 15000;

  function change(changes) {
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {pretrain: model.get("pretrain"), tables: model.get("tables"),
                    show_report: model.get("show_report")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const view = tradeoffView(rows, claims, values);
    const colors = themeColors(frame.root);
    const palette = isDark(colors.bg) ? PRETRAIN_COLORS_DARK : PRETRAIN_COLORS;
    const width = 750, height = 600;
    const px0 = 62, px1 = 738, py0 = 40, py1 = 450;
    const xs = (v) => px0 + (Math.log(v) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo)) * (px1 - px0);
    const ys = (v) => py1 - (v - yLo) / (yHi - yLo) * (py1 - py0);
    const root = svg("svg", {viewBox: `0 0 ${width} ${height}`, width, height, role: "presentation",
                             style: "max-width:100%;height:auto;font-family:inherit"});
    root.append(svg("text", {x: (px0 + px1) / 2, y: 18, "text-anchor": "middle", "font-size": 14,
                             "font-weight": "bold"},
                    "Độ chính xác ImageNet và thông lượng (bài báo MLP-Mixer)"));
    // axes and grid
    root.append(svg("rect", {x: px0, y: py0, width: px1 - px0, height: py1 - py0, fill: "none", stroke: colors.muted}));
    for (const t of throughputTicks(xLo, xHi)) {
      root.append(svg("line", {x1: xs(t), x2: xs(t), y1: py0, y2: py1, stroke: colors.muted, "stroke-opacity": 0.3}));
      root.append(svg("text", {x: xs(t), y: py1 + 15, "text-anchor": "middle", "font-size": 11}, formatNumber(t)));
    }
    for (let v = yLo; v <= yHi; v += 5) {
      root.append(svg("line", {x1: px0, x2: px1, y1: ys(v), y2: ys(v), stroke: colors.muted, "stroke-opacity": 0.3}));
      root.append(svg("text", {x: px0 - 5, y: ys(v) + 4, "text-anchor": "end", "font-size": 11}, String(v)));
    }
    root.append(svg("text", {x: (px0 + px1) / 2, y: py1 + 34, "text-anchor": "middle", "font-size": 11},
                    "thông lượng (ảnh/giây trên một lõi TPU-v3, thang log)"));
    const ly = (py0 + py1) / 2;
    root.append(svg("text", {x: 18, y: ly, "text-anchor": "middle", "font-size": 11, transform: `rotate(-90 18 ${ly})`},
                    `độ chính xác top-1 trên ImageNet (%), trục từ ${yLo} đến ${yHi}, không từ 0`));
    // points: faded first, then those in full strength on top; each says what it is on hover
    const full = new Set(view.highlighted);
    const drawn = view.points.map((k) => byKey.get(k));
    const order = [...drawn.filter((r) => !full.has(r.key)), ...drawn.filter((r) => full.has(r.key))];
    for (const r of order) {
      const color = palette[r.pretrain] || OTHER_COLOR;
      let fill = color, stroke = color;
      if (r.resolution === null) {
        fill = colors.bg;
        stroke = OTHER_COLOR;
      } else if (r.resolution !== 224) fill = colors.bg;
      const g = marker(r.family, xs(r.throughput), ys(r.top1), {fill, stroke, "stroke-width": 1.8,
        opacity: full.has(r.key) ? 1 : 0.15, "data-key": r.key});
      const res = r.resolution ? `${r.resolution} px` : "độ phân giải không nêu";
      g.append(svg("title", {}, `${r.model}, ${PRETRAIN_NAMES[r.pretrain] || r.pretrain}, ${res}, bảng ${r.table}: ` +
        `${formatNumber(r.top1, 2)}%, ${formatNumber(r.throughput)} ảnh/giây/lõi`));
      root.append(g);
    }
    if (!view.highlighted.length) {
      root.append(svg("text", {x: (px0 + px1) / 2, y: py1 - 14, "text-anchor": "middle", "font-size": 12},
                      `${values.tables} không có dòng nào tiền huấn luyện trên ${values.pretrain}`));
    }
    // report lines: a cross where the report puts them, an arrow to the row their accuracy belongs to
    const shown = claims.filter((c) => view.report.includes(c.model));
    const obstacles = drawn.map((r) => [xs(r.throughput), ys(r.top1)]);
    for (const c of shown) {
      const [x, y] = [xs(c.throughput), ys(c.top1)];
      const t = byKey.get(c.target);
      if (t) {
        root.append(arrow(x, y, xs(t.throughput), ys(t.top1), FOCUS));
        if (!view.points.includes(t.key)) { // the row lies in the other table: mark its place
          root.append(svg("circle", {cx: xs(t.throughput), cy: ys(t.top1), r: 6, fill: "none", stroke: FOCUS,
                                     "stroke-dasharray": "2 2", "stroke-width": 1.5}));
        }
        obstacles.push(...along(x, y, xs(t.throughput), ys(t.top1)));
      }
      const g = cross(x, y, FOCUS);
      g.append(svg("title", {}, `báo cáo: ${c.model}, ${formatNumber(c.top1, 2)}% ở ${formatNumber(c.throughput)} ` +
        "ảnh/giây/lõi"));
      root.append(g);
      obstacles.push([x, y]);
    }
    // labels: the report's lines, then Mixer and ViT rows in full strength (as plot_accuracy_throughput)
    const labelled = drawn.filter((r) => full.has(r.key) && (r.family === "Mixer" || r.family === "ViT"));
    const items = [
      ...shown.map((c) => ({x: xs(c.throughput), y: ys(c.top1), text: `${c.model} (báo cáo)`, color: FOCUS})),
      ...labelled.map((r) => ({x: xs(r.throughput), y: ys(r.top1), text: r.label, color: null})),
    ].map((it) => ({...it, width: textWidth(it.text)}));
    const places = placeLabels(items, obstacles, {x0: px0 + 2, x1: px1 - 2, y0: py0 + 2, y1: py1 - 2});
    items.forEach((it, i) => {
      const p = places[i];
      if (!p) return;
      root.append(svg("text", {x: p.x.toFixed(1), y: p.y.toFixed(1), "text-anchor": p.anchor, "font-size": 11,
                               style: it.color ? `fill:${it.color}` : null}, it.text));
    });
    // legend, under the plot, in four columns
    const column = (x, title, entries) => {
      let y = py1 + 62;
      root.append(svg("text", {x, y, "font-size": 11, "font-weight": "bold"}, title));
      for (const [draw, text, bold] of entries) {
        y += 16;
        if (draw) root.append(draw(x + 6, y - 4));
        root.append(svg("text", {x: x + 18, y, "font-size": 11, "font-weight": bold ? "bold" : null}, text));
      }
    };
    const dot = (attrs, family = "Mixer") => (x, y) => marker(family, x, y, attrs);
    column(px0, "Tiền huấn luyện (màu)", [...Object.entries(palette), ["unlabelled/weak", OTHER_COLOR]]
      .map(([name, color]) => [dot({fill: color, stroke: color}), PRETRAIN_NAMES[name], values.pretrain === name]));
    column(px0 + 175, "Họ mô hình (hình)", ["Mixer", "ViT", "BiT", "other"]
      .map((f) => [dot({fill: colors.muted, stroke: colors.muted}, f), FAMILY_NAMES[f]]));
    column(px0 + 330, "Tinh chỉnh ở", [
      [dot({fill: colors.muted, stroke: colors.muted}), "224 px (đặc)"],
      [dot({fill: colors.bg, stroke: colors.muted, "stroke-width": 1.8}), "448–518 px (rỗng)"],
      [dot({fill: colors.bg, stroke: OTHER_COLOR, "stroke-width": 1.8}), "không nêu (viền xám)"],
    ]);
    if (shown.length) {
      column(px0 + 490, "Báo cáo", [
        [(x, y) => cross(x, y, FOCUS), "độ chính xác ghép với"], [null, "thông lượng của dòng khác;"],
        [null, "mũi tên chỉ tới dòng đúng"],
      ]);
    }
    frame.figure.replaceChildren(root);
    const where = values.tables === "Bảng 2 và 3" ? "Bảng 2 và 3" : values.tables;
    const fastest = drawn.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    const best = drawn.reduce((a, b) => (b.top1 > a.top1 ? b : a));
    const focusText = values.pretrain === ALL ? "mọi tập tiền huấn luyện hiện rõ như nhau"
      : !view.highlighted.length ? `không dòng nào tiền huấn luyện trên ${values.pretrain}, mọi điểm đều mờ`
      : `làm nổi ${view.highlighted.length} dòng tiền huấn luyện trên ${values.pretrain}, các dòng khác mờ đi`;
    const reportText = shown.length
      ? `; ${shown.length} dòng báo cáo ghép nhầm (${view.report.join(", ")}) là dấu × đỏ, mũi tên chỉ tới dòng ` +
        "thật của độ chính xác ấy"
      : "";
    const alt = `${drawn.length} điểm của ${where}, ${focusText}; nhanh nhất là ${fastest.model} ` +
      `(${formatNumber(fastest.throughput)} ảnh/giây/lõi, ${formatNumber(fastest.top1, 2)}%), chính xác nhất là ` +
      `${best.model} (${formatNumber(best.top1, 2)}%, ${formatNumber(best.throughput)} ảnh/giây/lõi)${reportText}.`;
    report(frame, values, view, alt);
  }

  return start(model, controls, draw);
}

export default {render};
