// The reader's chosen theme, applied before the page paints (so no flash of the other one).
// Without a choice (or without scripts) the stylesheet follows prefers-color-scheme.
// keys.js adds the toggle that sets the choice.
"use strict";
try {
  const theme = localStorage.getItem("theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch (error) {
  // storage refused (a private window's policy): the system theme it is
}
