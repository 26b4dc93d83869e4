// The explorer for a class: a lesson's steps drawn through the loader (lesson/player.js), the
// controls a teacher's link hides (hide.js), the share panel and its link builder, and classroom
// mode's keys: up / down move the timestep, R resamples the masks (seed + 1, as the button).
import { LESSON, PRESENT } from "../constants.js";
import { bindBuilder } from "../classroom/link-builder.js";
import { startClassroom } from "../classroom/present.js";
import { bindShare } from "../classroom/share.js";
import { startLesson } from "../lesson/player.js";
import { pageQuery, replaceURL, stepOfLocation, stepWithHide, withHide } from "../state.js";
import { setUnboxed, setStatus } from "./controls.js";
import { setCursor } from "./cursor.js";
import { HIDEABLE, applyHide, bindHide, controlLabel, hiddenNames, isHidden } from "./hide.js";
import { pageLink, prefetchLink, schedule, showLink } from "./loader.js";
import { currentStep, on } from "./store.js";

const $ = (id) => document.getElementById(id);

/** The link builder's page: the explorer's link is its state (hide is a state field); a lesson
 * step's is its address (hide is a page parameter there). */
function builderPage() {
  return {
    names: HIDEABLE,
    label: controlLabel,
    hidden: hiddenNames,
    build(names) {
      if (LESSON) {
        const link = stepWithHide(names, stepOfLocation());
        return { check: withHide("", names), link: () => link };
      }
      const vs = pageLink()
        .split("&")
        .filter((p) => p.startsWith("vs."));
      const check = withHide(pageLink().split("&").filter((p) => !p.startsWith("vs.")).join("&"), names);
      return { check, link: (state) => `/?${pageQuery([state, ...vs].sort().join("&"))}` };
    },
    use(names) {
      if (LESSON) {
        replaceURL(stepWithHide(names, stepOfLocation()) + location.hash);
        applyHide();
      } else {
        setUnboxed({ hide: names.join(",") });
        schedule(0);
      }
    },
  };
}

function resample() {
  if (isHidden("seed")) return setStatus("The mask seed is hidden by this link: R does nothing here.");
  $("resample").click();
}

export function bindTeaching() {
  bindHide();
  const builder = bindBuilder(builderPage());
  bindShare({ onOpen: builder.sync });
  if (PRESENT) {
    startClassroom({
      ArrowUp: () => setCursor({ t: currentStep() + 1 }),
      ArrowDown: () => setCursor({ t: currentStep() - 1 }),
      r: resample,
    });
  }
  const lesson = LESSON
    ? startLesson({
        view: "explorer",
        canShow: (step) => step.view === "explorer",
        show: showLink,
        prefetch: prefetchLink,
        current: pageLink,
      })
    : null;
  on("trace", () => {
    applyHide();
    lesson?.refresh();
  });
  return { afterFirstPlot: () => lesson?.realign() };
}
