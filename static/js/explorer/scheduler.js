// The lazy-draw scheduler. A figure is drawn only when its data changed (same signature: left
// alone), and only when seen: one out of view waits until it scrolls into view or the browser is
// idle, whichever comes first, so a change of control costs only the figures a student looks at.
// A twin (model B's figure beside model A's) counts as seen when its A figure is: it is hidden
// until first drawn, so it cannot be seen before. The cursor (timestep line, unit row) is an
// overlay restyled on its own, without a redraw.
// When nothing is left to draw, body[data-plotted] says which state every figure shows.
import { clear, render, setShapes } from "../plot.js";

const $ = (id) => document.getElementById(id);

export function createScheduler({ overlay, onAllDrawn }) {
  const drawn = new Map(); // id -> signature drawn
  const pending = new Map(); // id -> {signature, build, onClick}
  const overlaid = new Map(); // id -> [overlay key, cursor spec of the figure]
  const visible = new Set();
  let style = "";
  let ready = false;
  let flushing = false;

  function drawNow(id, { signature, build, onClick }) {
    const t0 = performance.now();
    const fig = build();
    const t1 = performance.now();
    performance.measure("lab-build", { start: t0, end: t1, detail: id });
    const box = $(id);
    if (!fig) {
      clear(id);
      box.hidden = true;
      overlaid.delete(id);
    } else {
      box.hidden = false;
      if (fig.cursor) fig.layout.shapes = overlay.shapes(fig.cursor);
      render(id, fig, onClick);
      if (fig.cursor) overlaid.set(id, [overlay.key(), fig.cursor]);
      else overlaid.delete(id);
      performance.measure("lab-draw", { start: t1, detail: id });
    }
    drawn.set(id, style + signature);
  }

  function restyle(id) {
    const entry = overlaid.get(id);
    if (!entry || entry[0] === overlay.key()) return;
    setShapes(id, overlay.shapes(entry[1]));
    entry[0] = overlay.key();
  }

  function flushSoon() {
    if (!ready) return;
    if (!pending.size) {
      performance.mark("lab-plotted-all");
      onAllDrawn();
      return;
    }
    if (flushing) return;
    flushing = true;
    const idle = window.requestIdleCallback ?? ((fn) => setTimeout(fn, 16));
    idle(
      () => {
        flushing = false;
        const next = pending.entries().next().value;
        if (next) {
          pending.delete(next[0]);
          drawNow(...next);
        }
        flushSoon();
      },
      { timeout: 200 },
    );
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const id = entry.target.id;
        if (!entry.isIntersecting) {
          visible.delete(id);
          continue;
        }
        visible.add(id);
        const job = pending.get(id);
        if (job && ready) {
          pending.delete(id);
          drawNow(id, job);
          flushSoon();
        } else restyle(id);
      }
    },
    { rootMargin: "150px" },
  );

  return {
    observe(root = document) {
      for (const fig of root.querySelectorAll(".fig")) observer.observe(fig);
    },
    /** Plotly is loaded: from now on figures are drawn. */
    start() {
      ready = true;
    },
    get ready() {
      return ready;
    },
    /** A change that restyles every figure (text size, phone layout): all are redrawn. */
    setStyle(key) {
      style = key;
    },
    draw(id, signature, build, onClick, twin = null) {
      if (!ready || drawn.get(id) === style + signature) {
        pending.delete(id);
        return;
      }
      const job = { signature, build, onClick };
      if (!visible.has(id) && !(twin && visible.has(twin))) {
        pending.set(id, job);
        flushSoon();
        return;
      }
      pending.delete(id);
      drawNow(id, job);
    },
    /** A figure with nothing to show (B's twins when there is no B): hidden now, in view or not. */
    remove(id) {
      pending.delete(id);
      if (drawn.get(id) === style + "none") return;
      if (ready) clear(id);
      $(id).hidden = true;
      overlaid.delete(id);
      drawn.set(id, style + "none");
    },
    flushSoon,
    /** The cursor moved: restyle the figures in view now, the others when they come into view. */
    refreshOverlay() {
      for (const id of overlaid.keys()) if (visible.has(id)) restyle(id);
    },
  };
}
