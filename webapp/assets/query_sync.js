// Put a page's selection in the address bar without reloading or re-rendering the page, so
// the URL can be shared. replaceState (not pushState) keeps the Back button useful.
window.segmentsSyncQuery = function (values) {
  const params = new URLSearchParams();
  Object.keys(values).forEach(function (key) {
    // A list (a multi-select's value) repeats the key: country=France&country=Germany.
    const items = Array.isArray(values[key]) ? values[key] : [values[key]];
    items.forEach(function (value) {
      if (value !== null && value !== undefined && value !== "") {
        params.append(key, String(value).slice(0, key === "start" || key === "end" ? 10 : 200));
      }
    });
  });
  const query = params.toString();
  const url = window.location.pathname + (query ? "?" + query : "");
  if (url !== window.location.pathname + window.location.search) {
    window.history.replaceState(window.history.state, "", url);
  }
  return query;
};
