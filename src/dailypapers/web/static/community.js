// Upvote buttons update in place. Without this script each button is a plain form that
// posts and comes back to the page; with it, the same form is sent with fetch and only the
// count and the button's state change. No other script, no CDN (CSP: script-src 'self').
"use strict";

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote-form")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  // Busy, not disabled: a disabled button drops keyboard focus to <body>.
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`upvote failed: ${response.status}`);
    const state = await response.json();
    form.querySelector("input[name=vote]").value = state.upvoted ? "0" : "1";
    form.querySelector(".vote-count").textContent = state.upvotes.toLocaleString("en-US");
    button.setAttribute("aria-pressed", state.upvoted ? "true" : "false");
    button.title = state.upvoted ? "Take your upvote back" : "Upvote";
    const local = document.querySelector(".vote-local");
    if (local && form.closest(".paper-page")) {
      local.textContent = state.local_upvotes.toLocaleString("en-US");
    }
  } catch (error) {
    form.submit(); // let the server answer the plain form (it shows any error)
    return;
  } finally {
    button.removeAttribute("aria-disabled");
  }
});

// Submitting a paper the site lacks waits on arXiv (at most submission_fetch_timeout_s):
// say so while it does, and keep a second click from sending it twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (new URL(form.action, location.href).pathname !== "/submit") return;
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
  if (button) button.textContent = "Submitting…";
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "form-notice";
  status.textContent = "Looking the paper up on arXiv: this can take a few seconds.";
  form.after(status);
});

// Deleting a comment can't be undone: ask first. (Without this script the button deletes at
// once, as a plain form.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (!/^\/comments\/\d+\/delete$/.test(new URL(form.action, location.href).pathname)) return;
  if (!window.confirm("Delete this comment? This cannot be undone.")) event.preventDefault();
});
