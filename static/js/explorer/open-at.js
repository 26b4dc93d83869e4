// A link that opens the explorer at one figure (an embed's "Open in...", pages/embed.js): the hash
// starts with the figure's id, before the view's own fields (#fig-h&t=3, #cell). readView ignores
// the id; this scrolls the figure (the cell: its panel) to the top, under the sticky bar, and keeps
// it there while the page above it settles (panels filled in, figures drawn), until the reader
// scrolls, clicks or types, or 4 s have passed. body[data-opened-at] = the id (tests wait for it).
const TARGET = /^(cell|fig-[a-z0-9-]+)$/;
const SETTLE_MS = 4000;

export function openAtFragment() {
  const id = decodeURIComponent(location.hash.slice(1).split("&")[0]);
  const found = TARGET.test(id) ? document.getElementById(id) : null;
  if (!found) return;
  const el = id === "cell" ? (found.closest("section") ?? found) : found;
  const place = () => {
    const bar = document.querySelector(".cursor-bar");
    const under = bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().height : 0;
    window.scrollTo({ top: Math.max(0, el.getBoundingClientRect().top + window.scrollY - under - 8), behavior: "instant" });
  };
  place();
  document.body.dataset.openedAt = id;
  const watch = new ResizeObserver(place);
  watch.observe(document.body);
  const stop = () => {
    watch.disconnect();
    for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) window.removeEventListener(type, stop, true);
  };
  for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) window.addEventListener(type, stop, true);
  setTimeout(stop, SETTLE_MS);
}
