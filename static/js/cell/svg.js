// Tiny SVG helpers for the cell drawings.
const NS = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Text where "_k" or "^k" marks a subscript or superscript (equations: W_i, h^1). */
export function mathText(attrs, text) {
  const node = el("text", attrs);
  const parts = text.split(/([_^][A-Za-z0-9]+)/);
  let shifted = false;
  for (const part of parts) {
    if (!part) continue;
    const script = part[0] === "_" ? "sub" : part[0] === "^" ? "super" : null;
    if (script) {
      node.appendChild(el("tspan", { "baseline-shift": script, class: "script" }, part.slice(1)));
      shifted = true;
    } else {
      // after a shifted tspan, the next run goes back to the baseline
      node.appendChild(el("tspan", shifted ? { "baseline-shift": "0" } : {}, part));
      shifted = false;
    }
  }
  return node;
}

let canvas = null;

/** A row of colours ([r, g, b] each) as one <image>, one pixel per element, stretched to the box
 * without smoothing: hundreds of squares as one element (redrawn at every step, it stays fast). */
export function pixelRow({ x, y, width, height }, colours) {
  canvas ??= document.createElement("canvas");
  canvas.width = colours.length;
  canvas.height = 1;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(colours.length, 1);
  colours.forEach(([r, g, b], i) => img.data.set([r, g, b, 255], i * 4));
  ctx.putImageData(img, 0, 0);
  return el("image", { x, y, width, height, href: canvas.toDataURL(), preserveAspectRatio: "none", style: "image-rendering: pixelated" });
}
