// Give two Dash controls the name of their visible <label for="...">.
// - Dash 4's dcc.Dropdown renders a <button id=...> named by aria-labelledby (its value only),
//   which a screen reader uses instead of the label: "auto (elbow)" rather than "k auto (elbow)".
// - dcc.Upload puts its id on a wrapper <div>; the focusable file input inside has no name.
// The label (given an id if it has none) goes first in the control's aria-labelledby. React
// leaves the attribute alone afterwards (its own value does not change between renders), and
// the observer links controls as pages render them.
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
      const ids = (control.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (ids[0] !== label.id) {
        const others = ids.filter(function (id) { return id !== label.id; });
        control.setAttribute("aria-labelledby", [label.id].concat(others).join(" "));
      }
    });
  }

  // Mutation records arrive batched (once per microtask), and there are only a few labels.
  new MutationObserver(linkLabels).observe(document.documentElement, { childList: true, subtree: true });
})();
