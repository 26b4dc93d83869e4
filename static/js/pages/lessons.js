// The lessons' index: in classroom mode (?present=1) the share panel and F for full screen.
import { startClassroom } from "../classroom/present.js";
import { bindShare } from "../classroom/share.js";

if (document.documentElement.classList.contains("classroom")) {
  bindShare();
  startClassroom();
}
