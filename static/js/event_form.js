// The event form: adds a blank guest row from the formset's empty form and tells Django how
// many rows there are.
document.getElementById("add-guest").addEventListener("click", () => {
  const total = document.getElementById("id_guests-TOTAL_FORMS");
  const html = document.getElementById("guest-empty-row").innerHTML.replace(/__prefix__/g, total.value);
  document.querySelector("#guest-table tbody").insertAdjacentHTML("beforeend", html);
  total.value = Number(total.value) + 1;
});
