// Keyboard shortcuts and the theme toggle, added to a page that works without them
// (progressive enhancement; CSP: script-src 'self', nothing from another host).
//   /  focus the search box      j / k  next / previous paper      u  upvote it
//   o  open it                   ?      list these keys
"use strict";

const KEYS = [
  ["/", "Focus the search box"],
  ["j", "Next paper"],
  ["k", "Previous paper"],
  ["u", "Upvote the current paper"],
  ["o", "Open the current paper"],
  ["?", "Show these keys"],
];

function papers() {
  return Array.from(document.querySelectorAll("main article.paper"));
}

function currentIndex(list) {
  const active = document.activeElement;
  const focused = list.findIndex((paper) => paper.contains(active));
  if (focused >= 0) return focused;
  return list.findIndex((paper) => paper.classList.contains("current"));
}

function moveTo(list, index) {
  if (!list.length) return;
  const target = list[Math.max(0, Math.min(list.length - 1, index))];
  list.forEach((paper) => paper.classList.toggle("current", paper === target));
  const link = target.querySelector(".paper-title a");
  (link || target).focus();
  target.scrollIntoView({ block: "nearest" });
}

let help = null;

function showHelp() {
  if (!help) {
    help = document.createElement("dialog");
    help.className = "keys-help";
    help.setAttribute("aria-labelledby", "keys-help-h");
    const heading = document.createElement("h2");
    heading.id = "keys-help-h";
    heading.textContent = "Keyboard shortcuts";
    const list = document.createElement("dl");
    for (const [key, what] of KEYS) {
      const dt = document.createElement("dt");
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      dt.append(kbd);
      const dd = document.createElement("dd");
      dd.textContent = what;
      list.append(dt, dd);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => help.close());
    help.append(heading, list, close);
    document.body.append(help);
  }
  if (!help.open) help.showModal();
}

function typing(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (help && help.open) return;
  const list = papers();
  const index = currentIndex(list);
  switch (event.key) {
    case "/": {
      const search = document.getElementById("search-q");
      if (!search) return;
      event.preventDefault();
      search.focus();
      search.select();
      break;
    }
    case "j":
      moveTo(list, index + 1);
      break;
    case "k":
      moveTo(list, index < 0 ? 0 : index - 1);
      break;
    case "u":
      if (index >= 0) list[index].querySelector(".vote-button")?.click();
      break;
    case "o":
      if (index >= 0) list[index].querySelector(".paper-title a")?.click();
      break;
    case "?":
      event.preventDefault();
      showHelp();
      break;
    default:
      return;
  }
});

// The theme toggle: light or dark, remembered; the system's choice until the first click.
function addThemeToggle() {
  const bar = document.querySelector(".site-header .bar");
  if (!bar) return;
  const root = document.documentElement;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "theme-toggle";
  const dark = () =>
    root.dataset.theme
      ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
  const label = () => {
    button.textContent = dark() ? "Light theme" : "Dark theme";
  };
  button.addEventListener("click", () => {
    root.dataset.theme = dark() ? "light" : "dark";
    try {
      localStorage.setItem("theme", root.dataset.theme);
    } catch (error) {
      // not remembered, still switched
    }
    label();
  });
  label();
  bar.append(button);
}

addThemeToggle();
