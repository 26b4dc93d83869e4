// The cell diagram (cell/diagram.js) at one step, sized for an iframe: with its equations when
// they fit at a readable size, else the cell alone; when even that does not fit the frame's
// height, it takes the frame's width, its box scrolls and the frame says the size it needs.
import { drawCell } from "../cell/diagram.js";
import { cellHeight, cellLayout } from "../cell/geometry.js";
import { equations } from "../equations.js";
import { reachAt } from "../reach.js";
import { layerData } from "../trace-data.js";
import { describeCell } from "./summary.js";

const READABLE = 11 / 14; // the diagram's 14-unit text at 11 px or more
const LARGEST = 1.25;

/** Draw layer n's cell at step t in box, to fit {width, height} (px, the room the frame leaves
 * it). Returns its description (the text alternative). */
export function drawEmbedCell(box, { width, height }, { trace, n, t, unit }) {
  const g = cellLayout(width);
  const layer = layerData(trace, n);
  const reach = reachAt(trace, n, t);
  drawCell(box, { g, trace, n, layer, t, reach, unit });
  const full = cellHeight(g, equations(trace.plan, n).length);
  const cellOnly = g.xIn.top + 6; // down to the label of x(t), without the equations
  const fit = (h) => Math.min(width / g.width, height / h, LARGEST);
  let shown = full;
  let scale = fit(full);
  if (scale < READABLE) {
    shown = cellOnly;
    scale = fit(cellOnly) >= READABLE ? fit(cellOnly) : Math.min(width / g.width, LARGEST);
  }
  const svg = box.querySelector("svg");
  svg.setAttribute("viewBox", `0 0 ${g.width} ${shown}`);
  svg.style.width = `${Math.floor(g.width * scale)}px`;
  svg.style.height = `${Math.floor(shown * scale)}px`;
  box.dataset.equations = String(shown === full);
  return { text: describeCell(trace, t, reach, n, layer, unit) };
}
