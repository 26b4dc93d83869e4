// The table of a finished run (the `done` event's table), one row per arm: the metric's mean ± sd
// over the seeds with each seed's value under it, the final training accuracy (mean) and the gap.
// Every cell keeps the event's numbers in data attributes (data-value; the metric's cell also
// data-sd and data-values, one per seed) and shows them rounded.
import { armColors } from "./configs.js";

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const pts = (x) => `${(100 * x).toFixed(1).replace("-", "−")} points`;

const COLUMNS = [
  {
    key: "mean",
    main: (r) => (r.values.length > 1 ? `${pct(r.mean)} ± ${(100 * r.sd).toFixed(1)}` : pct(r.mean)),
    extra: (r) => (r.values.length > 1 ? r.values.map((v) => (100 * v).toFixed(1)).join(" · ") : ""),
    data: (r) => ({ value: r.mean, sd: r.sd, values: r.values.join(",") }),
  },
  { key: "train_mean", main: (r) => pct(r.train_mean), data: (r) => ({ value: r.train_mean, values: (r.train_values ?? []).join(",") }) },
  { key: "gap", main: (r) => pts(r.gap), data: (r) => ({ value: r.gap }) },
];

function cell(text, extra) {
  const td = document.createElement("td");
  td.append(text);
  if (extra) {
    const small = document.createElement("small");
    small.className = "seeds";
    small.textContent = extra;
    td.append(small);
  }
  return td;
}

/** The metric's column title: "Validation accuracy after the last epoch". */
export function setMetricTitle(table, title) {
  const th = table.querySelector("th[data-key=mean]");
  if (!th || !title) return;
  th.firstChild.textContent = `${title[0].toUpperCase()}${title.slice(1)} `;
}

/** Fill `tbody` with the table of a `done` event. */
export function renderTable(tbody, table) {
  const labels = [...tbody.closest("table").querySelectorAll("thead th")].map((th) => th.firstChild.textContent.trim());
  const colors = armColors(table.map((r) => r.config));
  tbody.replaceChildren(
    ...table.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.config = r.config;
      const head = document.createElement("th");
      head.scope = "row";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.setProperty("--swatch", colors[r.config]);
      head.append(swatch, r.title);
      tr.append(head);
      for (const col of COLUMNS) {
        const td = cell(col.main(r), col.extra?.(r));
        td.dataset.key = col.key;
        td.dataset.label = labels[tr.children.length] ?? ""; // shown before the value on a phone
        for (const [k, v] of Object.entries(col.data(r))) td.dataset[k] = String(v);
        tr.append(td);
      }
      return tr;
    }),
  );
}

/** An empty table saying why it is empty. */
export function clearTable(tbody, text) {
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  td.colSpan = COLUMNS.length + 1;
  td.className = "empty";
  td.textContent = text;
  tr.append(td);
  tbody.replaceChildren(tr);
}
