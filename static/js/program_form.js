// The program form: adds a blank topic row from the formset's empty form and tells Django how
// many rows there are.
document.getElementById("add-topic").addEventListener("click", () => {
  const total = document.getElementById("id_topics-TOTAL_FORMS");
  const html = document.getElementById("topic-empty-row").innerHTML.replace(/__prefix__/g, total.value);
  document.querySelector("#topic-table tbody").insertAdjacentHTML("beforeend", html);
  total.value = Number(total.value) + 1;
});
