// Give two Dash controls the name of their visible <label for="...">.
// - Dash 4's dcc.Dropdown renders a <button id=...> named by aria-labelledby (its value only),
//   which a screen reader uses instead of the label: "auto (elbow)" rather than "k auto (elbow)".
// - dcc.Upload puts its id on a wrapper <div>; the focusable file input inside has no name.
// The label (given an id if it has none) goes first in the control's aria-labelledby. React
// leaves the attribute alone afterwards (its own value does not change between renders), and
// the observer links controls as pages render them.
// A dropdown whose placeholder repeats its (visually hidden) label would be named twice
// ("Batch to remove Batch to remove"): while the placeholder shows, the label names it alone.
(function () {
  function controlFor(target) {
    if (target.matches("button.dash-dropdown")) {
      return target;
    }
    if (target.matches("input, select, textarea, button")) {
      return null; // labelled natively by <label for>
    }
    return target.querySelector("input[type=file]");
  }

  function linkLabels() {
    document.querySelectorAll("label[for]").forEach(function (label) {
      const target = document.getElementById(label.htmlFor);
      const control = target && controlFor(target);
      if (!control) {
        return;
      }
      if (!label.id) {
        label.id = label.htmlFor + "-label";
      }
      const text = label.textContent.trim();
      const others = ownIds(control).filter(function (id) {
        const part = document.getElementById(id);
        return id !== label.id && !(part && part.textContent.trim() === text);
      });
      const wanted = [label.id].concat(others).join(" ");
      if (control.getAttribute("aria-labelledby") !== wanted) {
        control.setAttribute("aria-labelledby", wanted);
      }
    });
  }

  // The ids the control named itself by before any label was linked in, kept on the element
  // so that a part left out while it repeats the label comes back once it says something else.
  function ownIds(control) {
    if (!control.hasAttribute("data-own-labelledby")) {
      control.setAttribute("data-own-labelledby", control.getAttribute("aria-labelledby") || "");
    }
    return control.getAttribute("data-own-labelledby").split(/\s+/).filter(Boolean);
  }

  // Mutation records arrive batched (once per microtask), and there are only a few labels.
  // A dropdown's shown value changes by replacing its children (placeholder <-> value item).
  new MutationObserver(linkLabels).observe(document.documentElement, { childList: true, subtree: true });
})();
