// Pure helpers shared by the figure builders: trace data in, {data, layout} out.
export const KEEP_SCALE = [
  [0, "#12355b"],
  [0.5, "#12355b"],
  [0.5, "#e3e9f3"],
  [1, "#e3e9f3"],
]; // dropped: dark navy, kept: pale (luminance contrast, colour-blind safe)
export const SIGMOID_SCALE = "Viridis";
export const SIGNED_SCALE = "RdBu";

export function stepLabels(tokens) {
  return tokens.map((tok, t) => `${t} ${tok.word}`);
}

/** A figure's layout; the title's details go on a smaller second line (they wrap on phones
 * no better than a title does, so keep them short). */
export function baseLayout(title, height, extra = {}, detail = "") {
  return {
    title: { text: detail ? `${title}<br><sup>${detail}</sup>` : title, font: { size: 14 }, x: 0, xanchor: "left" },
    height,
    margin: { l: 44, r: 8, t: detail ? 44 : 30, b: 36 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { size: 11 },
    ...extra,
  };
}

export function maskTrace(z, x, extra = {}) {
  return {
    type: "heatmap",
    z,
    x,
    zmin: 0,
    zmax: 1,
    colorscale: KEEP_SCALE,
    colorbar: { tickvals: [0.25, 0.75], ticktext: ["dropped", "kept"], thickness: 10, len: 0.9 },
    hovertemplate: "%{x}<br>element %{y}: %{z}<extra>1 = kept</extra>",
    ...extra,
  };
}

export function maxAbs(data) {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m || 1;
}
