// "Share with the room": a dialog with a large QR code of the students' link (an SVG made by the
// server, /api/qr, of the absolute URL: path, query and hash, since the hash holds the view) and
// the link itself in large type, with Copy. The students' link is this page's without
// `present=1` (their phones open the ordinary page, the presenter's screen stays in classroom
// mode), or the link builder's while its boxes say something else (offer()). Both follow the
// address while the dialog is open (state.js and lab/link.js announce every change with a
// "lab:url" event). A link too long for a QR code (the server refuses it) says so and keeps the
// link to copy. Both are at the server's public address (DROPOUT_LAB_PUBLIC_URL), not this tab's
// origin: the teacher may be on http://localhost:8000, which no student's phone can open.
const $ = (id) => document.getElementById(id);

/** The address students open (the dialog's data-public-url, from the server), else this tab's. */
export function publicOrigin() {
  return $("share")?.dataset.publicUrl || location.origin;
}

export function currentLink() {
  return location.pathname + location.search + location.hash;
}

/** A link without its `present` parameter (the rest of the query kept byte for byte). */
export function studentsLink(link) {
  const cut = link.indexOf("#");
  const [path, hash] = cut < 0 ? [link, ""] : [link.slice(0, cut), link.slice(cut)];
  const q = path.indexOf("?");
  if (q < 0) return link;
  const params = path
    .slice(q + 1)
    .split("&")
    .filter((p) => p && p !== "present" && !p.startsWith("present="));
  return `${path.slice(0, q)}${params.length ? `?${params.join("&")}` : ""}${hash}`;
}

// the link builder's link ({from: the page's address it was built on, link: path and query}), or null
let offered = null;

/** The link the room is given: the builder's (with this page's view, the hash), or this page's
 * own for students. */
export function sharedLink() {
  const here = location.pathname + location.search;
  if (offered && offered.from === here) return studentsLink(offered.link) + location.hash;
  return studentsLink(currentLink());
}

/** The link builder offers its link (path and query), or null (the page's own). */
export function offer(link) {
  offered = link ? { from: location.pathname + location.search, link } : null;
  refresh();
}

export async function copyText(text, status, what = "Link") {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `${what} copied.`;
  } catch {
    status.textContent = `Copy this link: ${text}`; // no clipboard (plain http on a classroom network)
  }
}

function refresh() {
  const dialog = $("share");
  if (!dialog?.open) return;
  const link = sharedLink();
  const img = $("share-qr");
  const src = `/api/qr?link=${encodeURIComponent(link)}`;
  if (img.getAttribute("src") !== src) {
    img.hidden = false;
    $("share-qr-note").hidden = true;
    img.src = src;
  }
  img.dataset.link = link;
  $("share-link").textContent = publicOrigin() + link;
  $("share-students").hidden = studentsLink(currentLink()) === currentLink();
}

/** onOpen(): the page's own part of the panel (the link builder) is brought up to date. */
export function bindShare({ onOpen = () => {} } = {}) {
  const dialog = $("share");
  const img = $("share-qr");
  img.addEventListener("error", () => {
    img.hidden = true;
    $("share-qr-note").hidden = false;
  });
  img.addEventListener("load", () => {
    dialog.dataset.qr = img.dataset.link;
  });
  for (const button of document.querySelectorAll("[data-share-open]")) {
    button.addEventListener("click", () => {
      dialog.showModal();
      refresh();
      onOpen();
    });
  }
  $("share-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => e.target === dialog && dialog.close()); // a click outside the box
  $("share-copy").addEventListener("click", () => copyText(publicOrigin() + sharedLink(), $("share-status")));
  for (const event of ["lab:url", "popstate", "hashchange"]) window.addEventListener(event, refresh);
}
