// The news item page: "Copy" puts the text on the clipboard, "Back to the draft" puts the draft
// back in the text area. Both buttons stay hidden without JavaScript, where the text is
// selected and copied by hand and a link reloads the draft.
document.querySelectorAll("[data-copy-target], [data-reset-target]").forEach((button) => {
  button.hidden = false;
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copyTarget);
  const status = document.querySelector(button.dataset.copyStatus);
  let copied;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch {
    // Plain HTTP on an intranet has no Clipboard API: the old command still copies a selection.
    field.select();
    copied = document.execCommand("copy");
  }
  status.textContent = copied ? button.dataset.copied : button.dataset.copyFailed;
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-reset-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.resetTarget);
  const draft = document.querySelector(button.dataset.resetSource).content.textContent;
  if (field.value === draft || window.confirm(button.dataset.confirm)) {
    field.value = draft;
    field.focus();
  }
});
