// 👍/👎 on the For-you page without a page load. Without this script each pair of buttons is
// a plain form that posts and comes back to the page (which is re-ranked on the server);
// with it, a 👎'd card leaves at once, and the list is then replaced by the server's new
// ranking (fetched as HTML), so papers like it move down too.
"use strict";

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("feedback-form")) return;
  event.preventDefault();
  const button = event.submitter;
  const body = new URLSearchParams(new FormData(form));
  if (button && button.name) body.set(button.name, button.value);
  const card = form.closest(".recommendation");
  const verdict = body.get("verdict");
  if (verdict === "down" && card) card.remove();
  const response = await fetch(form.action, {
    method: "POST",
    body,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    window.location.reload();
    return;
  }
  if (button) button.setAttribute("aria-pressed", "true");
  const page = await fetch(window.location.href, { credentials: "same-origin" });
  if (!page.ok) return;
  const fresh = new DOMParser().parseFromString(await page.text(), "text/html");
  const list = document.getElementById("recommendations");
  const next = fresh.getElementById("recommendations");
  if (list && next) list.replaceWith(next);
});
