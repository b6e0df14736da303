// The marking page, nicer with JavaScript: "All present" fills the unmarked rows at once instead
// of saving, minutes late opens only for T, and the marked count follows the taps. Without this
// file the form still works: "All present" then saves H for the unmarked rows on the server.
(() => {
  const form = document.querySelector("[data-marking-form]");
  if (!form || form.querySelector("fieldset[disabled]")) return;
  const rows = [...form.querySelectorAll("[data-mark-row]")];
  const count = form.querySelector("[data-marked-count]");
  const status = form.querySelector("[data-marking-status]");

  function refresh(row) {
    const checked = row.querySelector("input[type=radio]:checked");
    const minutes = row.querySelector("[data-minutes-late]");
    const late = checked !== null && checked.value === "T";
    // A minutes value on another status would be refused by the server: clear it instead.
    if (!late) minutes.value = "";
    minutes.disabled = !late;
  }

  function recount() {
    if (count) {
      count.textContent = rows.filter((row) => row.querySelector("input[type=radio]:checked")).length;
    }
  }

  rows.forEach(refresh);

  form.addEventListener("change", (event) => {
    const row = event.target.closest("[data-mark-row]");
    if (!row || event.target.type !== "radio") return;
    refresh(row);
    recount();
  });

  form.addEventListener("click", (event) => {
    if (!event.target.closest("[data-all-present]")) return;
    event.preventDefault();
    rows.forEach((row) => {
      if (!row.querySelector("input[type=radio]:checked")) {
        row.querySelector("input[type=radio][value=H]").checked = true;
        refresh(row);
      }
    });
    recount();
    if (status) status.textContent = form.dataset.allPresentDone;
  });
})();
