// Flatten explorer (chapter 1): pick a pixel of a small grid; see its 2-D neighbours and where
// they land in the flat vector. Parity: `neighbours` equals mixerbook.viz.neighbours.
import {clamp, explorerFrame, rangeControl, checkboxControl, setTraits, report, makeCanvas, resizeCanvas,
        themeColors, start} from "./_common.js";

/** The pixels next to (row, col) in a height x width grid, in mixerbook.viz.neighbours' order. */
export function neighbours(row, col, height, width, diagonal = true) {
  if (!(row >= 0 && row < height && col >= 0 && col < width)) {
    throw new RangeError(`Pixel (${row}, ${col}) lies outside a ${height}x${width} grid.`);
  }
  const steps = [[-1, 0], [1, 0], [0, -1], [0, 1]];
  if (diagonal) steps.push([-1, -1], [-1, 1], [1, -1], [1, 1]);
  return steps.map(([dr, dc]) => [row + dr, col + dc])
    .filter(([r, c]) => r >= 0 && r < height && c >= 0 && c < width);
}

/** What the picture shows for these values: the pixel, its neighbours, their flat indices. */
export function flattenView({height, width, row, col, diagonal}) {
  const near = neighbours(row, col, height, width, diagonal);
  const focus = row * width + col;
  const flat = near.map(([r, c]) => r * width + c).sort((a, b) => a - b);
  const farthest = flat.length ? Math.max(...flat.map((i) => Math.abs(i - focus))) : 0;
  return {pixel: [row, col], focus, neighbours: near, flat, farthest};
}

function render({model, el}) {
  const frame = explorerFrame(el, "flatten",
    "Chọn một điểm ảnh: các láng giềng 2-D của nó nằm ở đâu trong vector phẳng?");
  const [canvas, ctx] = makeCanvas(600, 300);
  frame.figure.append(canvas);
  const controls = {
    height: rangeControl("height", "Số hàng H", {min: 3, max: 10, value: model.get("height")},
      (v) => change({height: v})),
    width: rangeControl("width", "Số cột W", {min: 3, max: 10, value: model.get("width")},
      (v) => change({width: v})),
    row: rangeControl("row", "Hàng", {min: 0, max: model.get("height") - 1, value: model.get("row")},
      (v) => change({row: v})),
    col: rangeControl("col", "Cột", {min: 0, max: model.get("width") - 1, value: model.get("col")},
      (v) => change({col: v})),
    diagonal: checkboxControl("diagonal", "Tính cả láng giềng chéo", model.get("diagonal"),
      (v) => change({diagonal: v})),
  };
  for (const c of Object.values(controls)) frame.controls.append(c.element);

  function change(changes) {
    const height = changes.height ?? model.get("height");
    const width = changes.width ?? model.get("width");
    // keep the chosen pixel inside the grid
    changes.row = clamp(changes.row ?? model.get("row"), 0, height - 1);
    changes.col = clamp(changes.col ?? model.get("col"), 0, width - 1);
    setTraits(model, changes);  // the trait's change event redraws (start)
  }

  function draw() {
    const values = {height: model.get("height"), width: model.get("width"), row: model.get("row"),
                    col: model.get("col"), diagonal: model.get("diagonal")};
    controls.row.setRange(0, values.height - 1);
    controls.col.setRange(0, values.width - 1);
    for (const [name, c] of Object.entries(controls)) c.set(values[name]);
    const view = flattenView(values);
    const colors = themeColors(frame.root);
    const {height, width} = values;
    const n = height * width;
    const cell = 26, gridTop = 28;
    const stripCell = Math.max(6, Math.min(22, Math.floor(560 / n)));
    const stripTop = gridTop + height * cell + 52;
    const totalWidth = Math.max(width * cell + 40, 20 + n * stripCell + 20, 420);
    const gridLeft = Math.round((totalWidth - width * cell) / 2);
    resizeCanvas(canvas, ctx, totalWidth, stripTop + stripCell + 40);
    const near = new Set(view.flat);
    const fill = (idx) => (idx === view.focus ? colors.focus : near.has(idx) ? colors.near : colors.cell);
    ctx.font = "12px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = colors.fg;
    ctx.fillText(`Ảnh ${height}×${width}: điểm ảnh (${values.row}, ${values.col}) và ` +
                 `${values.diagonal ? 8 : 4} hướng láng giềng`, totalWidth / 2, 12);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const idx = r * width + c;
        ctx.fillStyle = fill(idx);
        ctx.fillRect(gridLeft + c * cell + 1, gridTop + r * cell + 1, cell - 2, cell - 2);
        ctx.fillStyle = idx === view.focus || near.has(idx) ? "#111111" : colors.fg;
        ctx.fillText(String(idx), gridLeft + (c + 0.5) * cell, gridTop + (r + 0.5) * cell);
      }
    }
    ctx.fillStyle = colors.fg;
    ctx.fillText(`Vector sau khi làm phẳng: láng giềng xa nhất cách ${view.farthest} vị trí ` +
                 `(trên/dưới luôn cách đúng ${width})`, totalWidth / 2, stripTop - 14);
    for (let idx = 0; idx < n; idx++) {
      ctx.fillStyle = fill(idx);
      ctx.fillRect(20 + idx * stripCell, stripTop, stripCell - 1, stripCell);
      if (stripCell >= 14 || idx === view.focus || near.has(idx)) {
        ctx.fillStyle = idx === view.focus || near.has(idx) ? "#111111" : colors.fg;
        ctx.font = stripCell >= 14 ? "10px sans-serif" : "8px sans-serif";
        ctx.fillText(String(idx), 20 + (idx + 0.5) * stripCell, stripTop + stripCell / 2);
      }
    }
    const alt = `Lưới ${height}×${width}: điểm ảnh (${values.row}, ${values.col}) ở vị trí ${view.focus} ` +
      `của vector phẳng; ${view.flat.length} láng giềng nằm ở các vị trí ${view.flat.join(", ")}, ` +
      `xa nhất cách ${view.farthest} vị trí.`;
    report(frame, values, {pixel: view.pixel, neighbours: view.neighbours, flat: view.flat}, alt);
  }

  return start(model, controls, draw);
}

export default {render};
