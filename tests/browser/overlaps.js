// Layout checks run inside the page by tests/browser/test_layouts.py. Returns plain data.
() => {
  const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && el.getClientRects().length > 0;
  const rect = (el) => el.getBoundingClientRect();
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const name = (el) => el.id || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30);
  const controls = [...document.querySelectorAll("#controls input, #controls select, #controls button, #controls summary, [role=tab]")];
  const charts = [...document.querySelectorAll(".fig:not([hidden]), #cell svg")];
  const overlaps = [];
  for (const c of controls.filter(visible)) {
    for (const f of charts.filter(visible)) {
      if (meets(rect(c), rect(f))) overlaps.push(`${name(c)} over ${f.id || f.parentElement.id}`);
    }
  }
  return overlaps;
}
