// Mixing-table explorer (chapter 6): pick a cell of an S x C table and step through one Mixer layer;
// the tables X, U, Y come from Python (mixerbook.mixing.block_steps). Parity: `mixingSources`
// equals mixerbook.mixing.mixing_sources.
import {explorerFrame, rangeControl, toggleControl, setTraits, report, makeCanvas, resizeCanvas, themeColors,
        float32View, diverging, formatNumber, start} from "./_common.js";

export const STEPS = ["input", "token", "channel"];
const TABLES = ["X", "U", "Y"];
const TITLES = ["X: bảng đầu vào", "U = X + trộn token", "Y = U + trộn kênh"];

/**
 * Which cells of the table before `step` feed cell (row, col) of the table after it: an S x C array
 * of booleans, like mixerbook.mixing.mixing_sources ("token": column col; "channel": row row;
 * "block": every cell).
 */
export function mixingSources(S, C, row, col, step) {
  if (!(row >= 0 && row < S && col >= 0 && col < C)) {
    throw new RangeError(`Cell (${row}, ${col}) lies outside a ${S}x${C} table.`);
  }
  if (!["token", "channel", "block"].includes(step)) {
    throw new RangeError(`Unknown step '${step}'; expected 'token', 'channel' or 'block'.`);
  }
  return Array.from({length: S}, (_, r) => Array.from({length: C}, (_, c) =>
    step === "block" || (step === "token" ? c === col : r === row)));
}

/** The rows and the columns that hold a true cell of a mask. */
export function maskSpan(mask) {
  const rows = [], cols = new Set();
  mask.forEach((line, r) => {
    if (line.some(Boolean)) rows.push(r);
    line.forEach((v, c) => { if (v) cols.add(c); });
  });
  return {rows, cols: [...cols].sort((a, b) => a - b)};
}

/**
 * The cells the explorer marks at `step` ("input", "token" or "channel"), by table, as in
 * mixerbook.viz.plot_mixing_table: at "token" column col of X; at "channel" row row of U, and all
 * of X (through both halves of the layer).
 */
export function stepSources(S, C, row, col, step) {
  if (!STEPS.includes(step)) {
    throw new RangeError(`Unknown step '${step}'; expected one of ${STEPS.join(", ")}.`);
  }
  const how = {input: {}, token: {X: "token"}, channel: {U: "channel", X: "block"}}[step];
  const out = {};
  for (const [table, kind] of Object.entries(how)) out[table] = maskSpan(mixingSources(S, C, row, col, kind));
  return out;
}

/** What the picture shows: the step, the cell, the cells that feed it, the cell's value. */
export function mixingView({S, C, row, col, step}, tables) {
  const level = STEPS.indexOf(step);
  const sources = stepSources(S, C, row, col, step);
  const value = tables[level * S * C + row * C + col];
  return {step, cell: [row, col], sources, value};
}

/** The Vietnamese sentence that says what the picture shows. */
export function mixingAlt({S, C, row, col, step}, value) {
  const v = formatNumber(value, 4);
  if (step === "input") return `Ô (${row}, ${col}) của X: token ${row}, kênh ${col}; giá trị ${v}.`;
  if (step === "token") {
    return `Ô (${row}, ${col}) sau trộn token (U[${row}, ${col}] = ${v}) được tính từ cột ${col} của X: ` +
      `${S} token của cùng kênh ${col}.`;
  }
  return `Ô (${row}, ${col}) sau trộn kênh (Y[${row}, ${col}] = ${v}) được tính từ hàng ${row} của U: ` +
    `${C} kênh của cùng token ${row}; qua cả hai bước, nó phụ thuộc vào mọi ô của X.`;
}

function ticks(n, room) {
  if (n <= 16 && room >= 11) return Array.from({length: n}, (_, i) => i);
  return [...new Set([0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4), n - 1])];
}

function render({model, el}) {
  const S = model.get("num_patches"), C = model.get("hidden_dim");
  const tables = float32View(model.get("tables"));
  const lims = [0, 1, 2].map((k) => {
    let m = 0;
    for (let i = k * S * C; i < (k + 1) * S * C; i++) m = Math.max(m, Math.abs(tables[i]));
    return m || 1;
  });
  const frame = explorerFrame(el, "mixing_table",
    `Bảng ${S} × ${C}: chọn một ô rồi đi qua từng bước của một lớp Mixer.`);
  const [canvas, ctx] = makeCanvas(740, 300);
  frame.figure.append(canvas);
  const controls = {
    row: rangeControl("row", "Token j", {min: 0, max: S - 1, value: model.get("row")}, (v) => change({row: v})),
    col: rangeControl("col", "Kênh i", {min: 0, max: C - 1, value: model.get("col")}, (v) => change({col: v})),
    step: toggleControl("step", "Bước", [["input", "X: đầu vào"], ["token", "1. trộn token → U"],
                                         ["channel", "2. trộn kênh → Y"]], model.get("step"),
                        (v) => change({step: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  // Layout: three panels side by side, or stacked when the table is much wider than tall.
  const wide = C > 2 * S;
  const left = 46, top = 52, labelRoom = 34, gap = 30;
  let cw, ch;
  if (wide) {
    cw = Math.max(3, Math.min(56, Math.floor((740 - left - 10) / C)));
    ch = Math.max(6, Math.min(40, Math.floor(150 / S)));
  } else {
    cw = Math.max(3, Math.min(56, Math.floor((740 - 3 * left - 2 * gap) / (3 * C))));
    ch = Math.max(3, Math.min(40, Math.round(cw * 0.75), Math.floor(260 / S)));
  }
  const pw = C * cw, ph = S * ch;
  const origin = (k) => (wide ? [left, top + k * (ph + labelRoom + 30)] : [left + k * (pw + left + gap), top]);
  const totalW = wide ? left + pw + 14 : 3 * (pw + left) + 2 * gap + 10;
  const totalH = wide ? top + 3 * (ph + labelRoom + 30) + 4 : top + ph + labelRoom + 24;
  const annotate = S * C <= 60 && cw >= 36 && ch >= 16;

  function draw() {
    const values = {row: model.get("row"), col: model.get("col"), step: model.get("step")};
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const {row, col, step} = values;
    const view = mixingView({S, C, row, col, step}, tables);
    const level = STEPS.indexOf(step);
    const colors = themeColors(frame.root);
    resizeCanvas(canvas, ctx, totalW, totalH);
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    ctx.font = "13px sans-serif";
    ctx.fillStyle = colors.fg;
    const heading = level === 0 ? `Ô (${row}, ${col}) của X: token ${row}, kênh ${col}`
      : level === 1 ? `U[${row}, ${col}] (khung đậm) được trộn từ cột ${col} của X (khung vàng): ${S} token của kênh ${col}`
        : `Y[${row}, ${col}] (khung đậm) được trộn từ hàng ${row} của U (khung vàng): ${C} kênh của token ${row}`;
    ctx.fillText(heading, totalW / 2, 12);
    for (let k = 0; k < 3; k++) {
      const [x0, y0] = origin(k);
      ctx.font = "12px sans-serif";
      ctx.textAlign = "center";
      ctx.fillStyle = k > level ? colors.muted : colors.fg;
      ctx.fillText(TITLES[k], x0 + pw / 2, y0 - 18);
      if (k > level) { // not computed yet at this step
        ctx.fillStyle = colors.cell;
        ctx.fillRect(x0, y0, pw, ph);
        ctx.fillStyle = colors.muted;
        ctx.fillText("chưa tính", x0 + pw / 2, y0 + ph / 2);
      } else {
        const base = k * S * C, lim = lims[k];
        for (let r = 0; r < S; r++) {
          for (let c = 0; c < C; c++) {
            const v = tables[base + r * C + c];
            const [R, G, B] = diverging(v / lim);
            ctx.fillStyle = `rgb(${R},${G},${B})`;
            ctx.fillRect(x0 + c * cw, y0 + r * ch, cw, ch);
            if (annotate) {
              ctx.fillStyle = Math.abs(v) > 0.6 * lim ? "#ffffff" : "#111111";
              ctx.font = "11px sans-serif";
              ctx.fillText(v.toFixed(2), x0 + (c + 0.5) * cw, y0 + (r + 0.5) * ch);
            }
          }
        }
        const marked = view.sources[TABLES[k]];
        if (marked) {
          const whole = marked.rows.length === S && marked.cols.length === C;
          const r0 = marked.rows[0], r1 = marked.rows[marked.rows.length - 1];
          const c0 = marked.cols[0], c1 = marked.cols[marked.cols.length - 1];
          if (!whole) { // dim the cells that do not feed the chosen one
            ctx.fillStyle = colors.bg;
            ctx.globalAlpha = 0.55;
            for (let r = 0; r < S; r++) {
              for (let c = 0; c < C; c++) {
                if (r < r0 || r > r1 || c < c0 || c > c1) ctx.fillRect(x0 + c * cw, y0 + r * ch, cw, ch);
              }
            }
            ctx.globalAlpha = 1;
          }
          ctx.strokeStyle = colors.near;
          ctx.lineWidth = whole ? 2 : 3;
          ctx.setLineDash(whole ? [6, 4] : []);
          ctx.strokeRect(x0 + c0 * cw - 1.5, y0 + r0 * ch - 1.5, (c1 - c0 + 1) * cw + 3, (r1 - r0 + 1) * ch + 3);
          ctx.setLineDash([]);
        }
        if (k === level) {
          ctx.strokeStyle = colors.bg;
          ctx.lineWidth = 4;
          ctx.strokeRect(x0 + col * cw - 2, y0 + row * ch - 2, cw + 4, ch + 4);
          ctx.strokeStyle = colors.fg;
          ctx.lineWidth = 2.5;
          ctx.strokeRect(x0 + col * cw - 2, y0 + row * ch - 2, cw + 4, ch + 4);
          if (cw < 12 || ch < 12) { // small cells: point at the chosen column and row from the axes
            ctx.fillStyle = colors.fg;
            const cx = x0 + (col + 0.5) * cw, cy = y0 + (row + 0.5) * ch;
            ctx.beginPath();
            ctx.moveTo(cx - 5, y0 - 9); ctx.lineTo(cx + 5, y0 - 9); ctx.lineTo(cx, y0 - 1);
            ctx.moveTo(x0 + pw + 9, cy - 5); ctx.lineTo(x0 + pw + 9, cy + 5); ctx.lineTo(x0 + pw + 2, cy);
            ctx.fill();
          }
        }
      }
      // axes: channel i along x, token j along y
      ctx.fillStyle = colors.muted;
      ctx.font = "11px sans-serif";
      ctx.textAlign = "center";
      for (const c of ticks(C, cw)) ctx.fillText(String(c), x0 + (c + 0.5) * cw, y0 + ph + 9);
      ctx.fillText("kênh i", x0 + pw / 2, y0 + ph + 24);
      ctx.textAlign = "right";
      for (const r of ticks(S, ch)) ctx.fillText(String(r), x0 - 4, y0 + (r + 0.5) * ch);
      ctx.save();
      ctx.translate(x0 - 30, y0 + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "center";
      ctx.fillText("token j", 0, 0);
      ctx.restore();
    }
    report(frame, values, view, mixingAlt({S, C, row, col, step}, view.value));
  }

  return start(model, controls, draw);
}

export default {render};
