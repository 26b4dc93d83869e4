// The link builder of the share panel: which controls students see. Each control unticked is
// hidden from whoever opens the link (hide=... in the link: part of the versioned state on the
// explorer, a page parameter on a lesson step). The server checks the link (/api/state) before it
// is offered: what it refuses is named, and nothing is offered to copy. A link checked is at once
// the panel's: its big QR code and big link (share.js offer()); like them it opens the students'
// view (no present=1). Copy; "Use it on this page" makes it this page's link too.
import { getJSON } from "../api.js";
import { copyText, offer, publicOrigin, studentsLink } from "./share.js";

const $ = (id) => document.getElementById(id);

let built = null; // the link offered ({link, names}) or null

/**
 * page: {names: the hideable controls, label(name), hidden(): the names hidden now,
 *        build(names): {check: the /api/state query, link(state): the page's link from the
 *        server's canonical state}, use(names): make it this page's link}
 */
export function bindBuilder(page) {
  const boxes = $("builder-boxes");
  boxes.replaceChildren(
    ...page.names.map((name) => {
      const label = document.createElement("label");
      label.className = "builder-box";
      const input = Object.assign(document.createElement("input"), { type: "checkbox", value: name, checked: true });
      input.id = `show-${name}`;
      label.htmlFor = input.id;
      const said = Object.assign(document.createElement("span"), { className: "visually-hidden", textContent: "Students see: " });
      label.append(input, " ", said, page.label(name)); // a name of its own, not the control's
      return label;
    }),
  );
  const chosen = () => page.names.filter((name) => !$(`show-${name}`).checked);
  let asked = 0;

  async function update() {
    const names = chosen();
    const mine = ++asked;
    const { check, link } = page.build(names);
    built = null;
    $("builder-link").textContent = "Checking the link with the server…";
    $("builder-copy").disabled = $("builder-use").disabled = true;
    const r = await getJSON(`/api/state?${check}`);
    if (mine !== asked) return;
    const error = $("builder-error");
    if (!r.ok) {
      const problems = r.body?.problems ?? [{ field: "", message: `The server answered ${r.status}.` }];
      error.textContent = problems.map((p) => `${p.field}: ${p.message}`).join(" ");
      error.hidden = false;
      $("builder-link").textContent = "";
      offer(null); // the panel's code and link: the page's own again
      return;
    }
    error.hidden = true;
    built = { link: studentsLink(link(r.body.state)), names };
    offer(built.link);
    $("builder-link").textContent = publicOrigin() + built.link;
    $("builder").dataset.link = built.link;
    $("builder-copy").disabled = $("builder-use").disabled = false;
  }

  /** The boxes say what the page hides now. */
  function sync() {
    const hidden = page.hidden();
    for (const name of page.names) $(`show-${name}`).checked = !hidden.includes(name);
    update();
  }

  boxes.addEventListener("change", update);
  // the page's link changed under an open panel ("Use it on this page", Back): built again from it
  for (const event of ["lab:url", "popstate"]) window.addEventListener(event, () => $("share").open && update());
  $("builder-copy").addEventListener("click", () => built && copyText(publicOrigin() + built.link, $("builder-status"), "Students' link"));
  $("builder-use").addEventListener("click", () => {
    if (!built) return;
    page.use(built.names);
    $("builder-status").textContent = "This page now has this link: the QR code shows it.";
  });
  return { sync };
}
