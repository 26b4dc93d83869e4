// The table of a finished run (the `done` event's rows), one row per configuration. Every cell
// keeps its number in data-value (what the event said), and shows it rounded.
import { CONFIG_COLORS } from "./configs.js";

const pct = (x) => `${(100 * x).toFixed(1)}%`;

const COLUMNS = [
  ["best_val_acc", (r) => `${pct(r.best_val_acc)} `, (r) => `(epoch ${r.best_epoch})`],
  ["final_train_acc", (r) => pct(r.final_train_acc)],
  ["final_val_acc", (r) => pct(r.final_val_acc)],
  ["gap", (r) => `${(100 * r.gap).toFixed(1).replace("-", "−")} points`],
  ["seconds", (r) => r.seconds.toFixed(1)],
];

function cell(tag, text, extra) {
  const td = document.createElement(tag);
  td.append(text);
  if (extra) {
    const small = document.createElement("span");
    small.className = "unit";
    small.textContent = extra;
    td.append(small);
  }
  return td;
}

/** Fill `tbody` with the table of a `done` event; the best validation accuracy is marked. */
export function renderTable(tbody, table) {
  const labels = [...tbody.closest("table").querySelectorAll("thead th")].map((th) => th.firstChild.textContent.trim());
  const best = Math.max(...table.map((r) => r.best_val_acc));
  tbody.replaceChildren(
    ...table.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.config = r.config;
      const head = document.createElement("th");
      head.scope = "row";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.setProperty("--swatch", CONFIG_COLORS[r.config]);
      head.append(swatch, r.title);
      tr.append(head);
      for (const [key, main, extra] of COLUMNS) {
        const td = cell("td", main(r), extra?.(r));
        td.dataset.key = key;
        td.dataset.label = labels[tr.children.length] ?? ""; // shown before the value on a phone
        td.dataset.value = String(r[key]);
        if (key === "best_val_acc") td.dataset.epoch = String(r.best_epoch);
        tr.append(td);
      }
      if (r.best_val_acc === best) tr.classList.add("best");
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
