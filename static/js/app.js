// Filters a list of checkboxes as the user types (enrolment picker); works without it too,
// because the form also searches on the server.
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-filter-target]");
  if (!box) return;
  const needle = box.value.trim().toLowerCase();
  document.querySelectorAll(box.dataset.filterTarget).forEach((row) => {
    row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
  });
});

// "Select all visible" for checkbox pickers.
document.addEventListener("change", (event) => {
  const toggle = event.target.closest("[data-check-all]");
  if (!toggle) return;
  document.querySelectorAll(toggle.dataset.checkAll).forEach((box) => {
    if (!box.closest("[hidden]") && !box.disabled) box.checked = toggle.checked;
  });
});
