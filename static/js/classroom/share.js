// "Share with the room": a dialog with a large QR code of this page's link (an SVG made by the
// server, /api/qr, of the absolute URL: path, query and hash, since the hash holds the view) and
// the link itself in large type, with Copy. Both follow the address while the dialog is open
// (state.js and lab/link.js announce every change with a "lab:url" event). A link too long for a
// QR code (the server refuses it) says so and keeps the link to copy.
const $ = (id) => document.getElementById(id);

export function currentLink() {
  return location.pathname + location.search + location.hash;
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
  if (!dialog.open) return;
  const link = currentLink();
  const img = $("share-qr");
  const src = `/api/qr?link=${encodeURIComponent(link)}`;
  if (img.getAttribute("src") !== src) {
    img.hidden = false;
    $("share-qr-note").hidden = true;
    img.src = src;
  }
  img.dataset.link = link;
  $("share-link").textContent = location.href;
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
  $("share-copy").addEventListener("click", () => copyText(location.href, $("share-status")));
  for (const event of ["lab:url", "popstate", "hashchange"]) window.addEventListener(event, refresh);
}
