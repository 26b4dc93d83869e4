// The "Your model" box (templates/_your_model.html) and the /from-code reasons page: the view the
// page's hash holds that should outlive "Open my model", and the larger text a #big=1 asks for.
//
// The box is a GET form: the page it opens is /from-code?code=..., and the hash of the page it
// leaves is lost. A GET form keeps its action's fragment (HTML: "mutate action URL" replaces the
// query only), so the action is kept in step with the page's hash (big=1 at least), and the page
// opened, then the canonical link the explorer puts in the address bar, keep "Larger text".
// Only what still means the same on another model is kept: t, layer or unit may not exist there,
// and the code tab is the framework of the model left (the code pasted may be another's).
// No import of constants.js: the reasons page has no page constants.

/** The hash keys of the view (static/js/state.js readView) carried to the model the box opens. */
export const KEPT = ["big", "diff"];

/** The fragment to carry: the kept keys of a hash, in its order ("" for none). */
export function keptFragment(hash) {
  const given = new URLSearchParams(hash.replace(/^#/, ""));
  const kept = new URLSearchParams([...given].filter(([k]) => KEPT.includes(k)));
  const text = kept.toString();
  return text ? `#${text}` : "";
}

/** "Larger text" (big=1 in the hash), as the explorer and the lab apply it: html.present. */
export function applyBigText(hash = location.hash) {
  const big = new URLSearchParams(hash.replace(/^#/, "")).get("big") === "1";
  document.documentElement.classList.toggle("present", big);
  return big;
}

/** Keep the box's action in step with the page's hash, now and on every change of it (state.js
 * announces its writes with "lab:url"; a typed fragment is a hashchange). No box: nothing to do. */
export function keepViewInForm() {
  const form = document.querySelector("#your-model form");
  if (!form) return;
  const base = form.getAttribute("action").replace(/#.*$/, "");
  const update = () => form.setAttribute("action", base + keptFragment(location.hash));
  update();
  window.addEventListener("lab:url", update);
  window.addEventListener("hashchange", update);
}
