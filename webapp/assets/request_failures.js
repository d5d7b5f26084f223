// Say so when a callback fails. Dash's renderer ignores the body of a failed callback and keeps
// the outputs' old values, so after a database outage (503) or the end of the login session
// (401) the page would show old figures under a new selection, silently. This wraps
// window.fetch, watches the answers of the callback endpoint and shows a fixed notice
// (role="alert") until a callback sent after the failure succeeds; meanwhile the page's content
// is dimmed (class ``figures-stale`` on <body>, app.css) so old figures do not pass for new ones.
// Downloads: the Campaigns export (dcc.Download) is a callback, so it is covered; the other
// downloads are plain links, whose failure the browser shows as a page.
(function () {
  "use strict";
  const nativeFetch = window.fetch.bind(window);
  let sent = 0; // callbacks sent so far
  let failedAt = null; // a callback numbered >= this one clears the notice; null: no notice

  function prefix() {
    const config = document.getElementById("_dash-config");
    const value = config ? JSON.parse(config.textContent).requests_pathname_prefix : "/";
    return value || "/";
  }

  function isCallback(input) {
    const url = typeof input === "string" ? input : input && input.url;
    return !!url && new URL(url, window.location.href).pathname === prefix() + "_dash-update-component";
  }

  function notice() {
    let box = document.getElementById("request-failure");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-failure";
      box.className = "alert alert-warning alert-dismissible shadow request-failure";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    return box;
  }

  function tryAgainButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary ms-2";
    button.id = "request-failure-retry";
    button.textContent = "Try again";
    // The address bar already holds the new selection (query_sync.js): reloading shows it.
    button.addEventListener("click", function () { window.location.reload(); });
    return button;
  }

  function signInLink() {
    // auth.py's login form; ``next`` is the path below the app's root, as the server makes it.
    const root = prefix().replace(/\/$/, "");
    let path = window.location.pathname;
    if (root && path.startsWith(root)) path = path.slice(root.length) || "/";
    const link = document.createElement("a");
    link.className = "alert-link";
    link.id = "request-failure-login";
    link.href = root + "/login?next=" + encodeURIComponent(path + window.location.search);
    link.textContent = "sign in again";
    return link;
  }

  function closeButton() {
    // It covers part of the page: let the reader put it away (the next failure shows it again).
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn-close";
    button.setAttribute("aria-label", "Dismiss");
    button.addEventListener("click", function () { notice().hidden = true; });
    return button;
  }

  function show(parts) {
    if (failedAt === null) return; // cleared meanwhile by a later success
    const box = notice();
    box.replaceChildren(...parts, closeButton());
    box.hidden = false;
    document.body.classList.add("figures-stale");
  }

  function clear() {
    failedAt = null;
    notice().hidden = true;
    document.body.classList.remove("figures-stale");
  }

  function serverMessage(response, body) {
    // The server's one-line reason (webapp/db_unavailable.py) when it sent plain text.
    if (!(response.headers.get("Content-Type") || "").startsWith("text/plain")) return null;
    const line = body.split("\n")[0].trim().slice(0, 300);
    return line ? line.charAt(0).toLowerCase() + line.slice(1) : null;
  }

  function report(response, body) {
    if (response.status === 401) {
      show(["Your session has ended: ", signInLink(), "."]);
    } else if (response.status === 503) {
      const reason = serverMessage(response, body) || "the database is unavailable at the moment.";
      show(["Could not update: " + reason + " What you see may be out of date.", tryAgainButton()]);
    } else if (response.status >= 500) {
      show([
        "Could not update: the server failed (error " + response.status + "). " +
          "What you see may be out of date.",
        tryAgainButton(),
      ]);
    } else {
      // 4xx other than 401: the request itself was refused (too large, malformed), so retrying
      // the same one will not help; the server's own line says why when it sent one.
      const reason = serverMessage(response, body) || "error " + response.status;
      show(["Could not update: the server refused the request (" + reason + "). " +
              "What you see may be out of date."]);
    }
  }

  window.fetch = function (input, init) {
    if (!isCallback(input)) return nativeFetch(input, init);
    const number = ++sent;
    const failed = function () { failedAt = sent + 1; };
    return nativeFetch(input, init).then(
      function (response) {
        if (response.ok) {
          if (failedAt !== null && number >= failedAt) clear();
          return response;
        }
        failed();
        // The notice says what failed; Dash then gets "no update" (204), as for PreventUpdate.
        // Given the failure itself it logged an uncaught error per callback, and read a 401's
        // body twice ("body stream already read").
        return response.text().catch(function () { return ""; }).then(function (body) {
          report(response, body);
          return new Response(null, { status: 204, statusText: "No Content" });
        });
      },
      function (error) {
        if (!error || error.name !== "AbortError") {
          failed();
          show(["Could not update: the server did not answer. What you see may be out of date.",
                tryAgainButton()]);
        }
        throw error;
      }
    );
  };
})();
