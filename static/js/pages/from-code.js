// The /from-code page (templates/from_code.html: the reasons a code did not open, or the box alone):
// "Larger text" when its hash asks for it (#big=1, kept from the page the code was sent from), and
// the box's action kept in step with the hash, as on the explorer (../your-model.js).
import { applyBigText, keepViewInForm } from "../your-model.js";

applyBigText();
window.addEventListener("hashchange", () => applyBigText());
keepViewInForm();
