// Shared helpers of the book's explorers (mixerbook.widgets). Each explorer's ES module imports
// them with one line, `import {...} from "./_common.js";`, which Python replaces by this file's
// text (mixerbook/widgets/_base.py): the widget then carries one self-contained module.
// Functions that compute something (not the DOM helpers) are pure and tested under node's test
// runner (tests/js).

// ------------------------------------------------------------------ data shipped by Python
/** The bytes of a `Bytes` trait as a Uint8Array (DataView in Jupyter and on the static page). */
export function bytesView(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") { // base64, as a last resort
    const raw = atob(value);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  throw new TypeError("expected bytes (DataView, ArrayBuffer or Uint8Array), got " + typeof value);
}

/** The little-endian float32 values of a `Bytes` trait (copied when the bytes are not 4-aligned). */
export function float32View(value) {
  const u8 = bytesView(value);
  if (u8.byteOffset % 4 === 0) return new Float32Array(u8.buffer, u8.byteOffset, u8.byteLength / 4);
  return new Float32Array(u8.slice().buffer);
}

// ------------------------------------------------------------------ numbers and text
/** Clamp an integer into [lo, hi]. */
export function clamp(value, lo, hi) {
  return Math.min(hi, Math.max(lo, value));
}

/**
 * The book's number format (stated in the intro, same as mixerbook.text.number): a decimal point, and
 * numbers of five digits or more grouped in threes by a no-break space; four-digit numbers stay whole.
 */
export function formatNumber(value, digits = 0) {
  const fixed = Math.abs(value).toFixed(digits);
  const [whole, frac] = fixed.split(".");
  const grouped = whole.length < 5 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return (value < 0 ? "−" : "") + grouped + (frac ? "." + frac : "");
}

/** Min and max of an array-like of numbers. */
export function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/** RGB of a perceptually ordered sequential map (viridis, 5 anchors, linear between) at t in [0, 1]. */
export function sequential(t) {
  const anchors = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  return interpolate(anchors, t);
}

/** RGB of a diverging map (blue, white, red) at t in [-1, 1]. */
export function diverging(t) {
  const anchors = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]];
  return interpolate(anchors, (t + 1) / 2);
}

function interpolate(anchors, t) {
  const x = clamp(Number.isFinite(t) ? t : 0, 0, 1) * (anchors.length - 1);
  const i = Math.min(anchors.length - 2, Math.floor(x));
  const f = x - i;
  return anchors[i].map((a, k) => Math.round(a + f * (anchors[i + 1][k] - a)));
}

// ------------------------------------------------------------------ DOM (browser only)
const CONTROL_TAGS = new Set(["input", "select", "button", "textarea"]);

/** Create an element: h("div", {class: "x", "aria-label": "..."}, child, "text", ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  // JupyterLab and Notebook 7 take arrow keys and letters for their own shortcuts unless the
  // focused element opts out; a range input does not count as an editable field there.
  if (CONTROL_TAGS.has(tag)) el.setAttribute("data-lm-suppress-shortcuts", "true");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let uid = 0;
/** A page-unique id for label/control pairs. */
export function uniqueId(prefix) {
  uid += 1;
  return `mb-${prefix}-${uid}-${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * The frame of an explorer: a caption, a row of controls, a status line, the picture, and a
 * text alternative. Returns the parts; `report` fills in what the picture shows.
 */
export function explorerFrame(el, kind, caption) {
  const captionId = uniqueId(kind + "-caption");
  const altId = uniqueId(kind + "-alt");
  const root = h("div", {class: "mb-explorer", "data-kind": kind, role: "group", "aria-labelledby": captionId});
  const title = h("p", {class: "mb-caption", id: captionId}, caption);
  const controls = h("div", {class: "mb-controls"});
  const status = h("p", {class: "mb-status", role: "status", "aria-live": "polite"});
  const figure = h("div", {class: "mb-figure", role: "img", "aria-describedby": altId});
  const alt = h("p", {class: "mb-alt", id: altId, "aria-live": "polite"});
  root.append(title, controls, status, figure, alt);
  el.replaceChildren(root);
  return {root, controls, status, figure, alt};
}

/**
 * Say what the picture shows: `data-values` and `data-shows` (JSON, read by the browser test),
 * the picture's accessible name and the visible text alternative (Vietnamese).
 */
export function report(frame, values, shows, altText) {
  frame.root.dataset.values = JSON.stringify(values);
  frame.root.dataset.shows = JSON.stringify(shows);
  frame.figure.setAttribute("aria-label", altText);
  frame.alt.textContent = altText;
  frame.root.dataset.version = String(Number(frame.root.dataset.version || 0) + 1);
}

/** Show a message (e.g. a patch size that does not divide the image) or clear it. */
export function setStatus(frame, message) {
  frame.status.textContent = message || "";
  frame.root.classList.toggle("mb-has-status", !!message);
}

function labelled(kind, labelText, control, extra) {
  const id = uniqueId(kind);
  control.id = id;
  const label = h("label", {for: id}, labelText);
  return h("div", {class: "mb-control mb-" + kind}, label, control, extra || "");
}

/** A range input with a Vietnamese label and the current value beside it. */
export function rangeControl(name, labelText, {min, max, step = 1, value}, onChange) {
  const input = h("input", {type: "range", min, max, step, value, "data-control": name});
  const output = h("output", {"aria-hidden": "true"}, String(value));
  const element = labelled("range", labelText, input, output);
  const sync = () => {
    output.textContent = input.value;
    input.setAttribute("aria-valuetext", `${labelText}: ${input.value}`);
  };
  sync();
  input.addEventListener("input", () => { sync(); onChange(Number(input.value)); });
  return {
    element, input,
    get: () => Number(input.value),
    set(v) { input.value = String(v); sync(); },
    setRange(lo, hi) { input.min = String(lo); input.max = String(hi); sync(); },
  };
}

/** A select with options [[value, text], ...]; values keep their type (number or string). */
export function selectControl(name, labelText, options, value, onChange) {
  const select = h("select", {"data-control": name});
  const byKey = new Map();
  for (const [v, text] of options) {
    byKey.set(String(v), v);
    select.append(h("option", {value: String(v)}, text));
  }
  select.value = String(value);
  select.addEventListener("change", () => onChange(byKey.get(select.value)));
  return {
    element: labelled("select", labelText, select), select,
    get: () => byKey.get(select.value),
    set(v) { select.value = String(v); },
  };
}

/** A checkbox with a label after it. */
export function checkboxControl(name, labelText, value, onChange) {
  const input = h("input", {type: "checkbox", "data-control": name});
  input.checked = !!value;
  input.addEventListener("change", () => onChange(input.checked));
  const id = uniqueId("checkbox");
  input.id = id;
  return {
    element: h("div", {class: "mb-control mb-checkbox"}, input, h("label", {for: id}, labelText)), input,
    get: () => input.checked,
    set(v) { input.checked = !!v; },
  };
}

/** A group of toggle buttons (aria-pressed), one pressed: options [[value, text], ...]. */
export function toggleControl(name, labelText, options, value, onChange) {
  const labelId = uniqueId("toggle");
  const group = h("div", {role: "group", "aria-labelledby": labelId, "data-control": name, class: "mb-buttons"});
  const buttons = options.map(([v, text]) => {
    const button = h("button", {type: "button", "data-value": String(v), "aria-pressed": "false"}, text);
    button.addEventListener("click", () => { set(v); onChange(v); });
    group.append(button);
    return [v, button];
  });
  function set(v) {
    for (const [bv, button] of buttons) button.setAttribute("aria-pressed", String(bv === v));
  }
  set(value);
  return {
    element: h("div", {class: "mb-control mb-toggle"}, h("span", {id: labelId, class: "mb-label"}, labelText), group),
    group,
    get: () => (buttons.find(([, b]) => b.getAttribute("aria-pressed") === "true") || [value])[0],
    set,
  };
}

/**
 * Two-way binding of a control to a synced trait: moving the control sets the trait (and tells a
 * kernel, if any); a change from Python moves the control. Both redraw.
 */
export function bindControl(model, name, control, redraw) {
  model.on("change:" + name, () => { control.set(model.get(name)); redraw(); });
}

/**
 * Start an explorer: bind each control to its trait, redraw when the theme switches, draw once.
 * A control's `change()` only sets traits (`setTraits`); their change events redraw, whether the
 * change came from the page or from Python. Returns the clean-up function that anywidget calls
 * when the view is removed.
 */
export function start(model, controls, draw) {
  // One redraw per burst of changes: a control that sets three traits draws once, after all three.
  let queued = false;
  const redraw = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; draw(); });
  };
  for (const name of Object.keys(controls)) bindControl(model, name, controls[name], redraw);
  const stop = onThemeChange(redraw);
  draw();
  return stop;
}

/** Set traits from the browser and tell the kernel when there is one (no-op on a static page). */
export function setTraits(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try { model.save_changes(); } catch (err) { /* no kernel: the page keeps its own state */ }
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** An SVG element with attributes (undefined and null skipped) and optional text content. */
export function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A canvas of the given CSS size, drawn at the device's pixel ratio; returns [canvas, ctx]. */
export function makeCanvas(width, height) {
  const canvas = h("canvas", {class: "mb-canvas"});
  const ctx = canvas.getContext("2d");
  resizeCanvas(canvas, ctx, width, height);
  return [canvas, ctx];
}

/** Resize a canvas (CSS pixels) and reset its transform to the device pixel ratio. */
export function resizeCanvas(canvas, ctx, width, height) {
  const ratio = (typeof window !== "undefined" && window.devicePixelRatio) || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = width + "px";
  canvas.style.height = height + "px";
  canvas.style.maxWidth = "100%";
  canvas.style.aspectRatio = `${width} / ${height}`;
  canvas.style.height = "auto";
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
}

/** Draw (h, w) grey pixels (uint8, row-major, `offset` into `pixels`) at (x, y), `scale` CSS px each. */
export function drawGrey(ctx, pixels, height, width, x, y, scale, offset = 0) {
  drawImageData(ctx, height, width, x, y, scale, (i) => {
    const v = pixels[offset + i];
    return [v, v, v];
  });
}

/** Draw an (h, w) picture whose pixel i has colour rgbOf(i) at (x, y), `scale` CSS px per pixel. */
export function drawImageData(ctx, height, width, x, y, scale, rgbOf) {
  blit(ctx, offscreen(width, height, rgbOf), x, y, width * scale, height * scale);
}

/** A (height x width) canvas, not in the page, whose pixel i (row-major) has colour rgbOf(i) = [r, g, b]. */
export function offscreen(width, height, rgbOf) {
  const image = new ImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = rgbOf(i);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
  }
  const tmp = document.createElement("canvas");
  tmp.width = width;
  tmp.height = height;
  tmp.getContext("2d").putImageData(image, 0, 0);
  return tmp;
}

/** Draw a canvas (e.g. from `offscreen`) into the box (x, y, w, h) without smoothing, at opacity `alpha`. */
export function blit(ctx, source, x, y, w, h, alpha = 1) {
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.globalAlpha = alpha;
  ctx.drawImage(source, x, y, w, h);
  ctx.restore();
}

/** Colours of the page's theme (light or dark), read from the explorer's CSS custom properties. */
export function themeColors(root) {
  const style = getComputedStyle(root);
  const get = (name, fallback) => (style.getPropertyValue(name) || "").trim() || fallback;
  return {
    fg: get("--mb-fg", "#1a1a1a"),
    bg: get("--mb-bg", "#ffffff"),
    muted: get("--mb-muted", "#5c5c5c"),
    cell: get("--mb-cell", "#ececec"),
    line: get("--mb-line", "#ffffff"),
    focus: get("--mb-focus-cell", "#c0392b"),
    near: get("--mb-near-cell", "#e9a23b"),
    accent: get("--mb-accent", "#00798c"),
  };
}

/** Call `redraw` whenever the book's theme switches between light and dark. */
export function onThemeChange(redraw) {
  if (typeof MutationObserver === "undefined") return () => {};
  const observer = new MutationObserver(() => redraw());
  observer.observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme", "data-mode"]});
  return () => observer.disconnect();
}
