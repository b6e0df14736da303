// Inmate import: a register can take a while to upload on the intranet and to check or import
// on the server, so show the upload's progress, then that the server is working. Without
// JavaScript the same forms post normally and the browser shows its own progress.
document.querySelectorAll("form[data-import-form]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = form.querySelector("[data-import-status]");
    const progress = status.querySelector("[role=progressbar]");
    const bar = status.querySelector(".progress-bar");
    const label = status.querySelector("[data-import-label]");
    const buttons = form.querySelectorAll("button");
    const show = (percent) => {
      bar.style.width = `${percent}%`;
      progress.setAttribute("aria-valuenow", percent);
    };
    buttons.forEach((button) => { button.disabled = true; });
    status.hidden = false;

    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progressEvent) => {
      if (progressEvent.lengthComputable) {
        show(Math.round((progressEvent.loaded * 100) / progressEvent.total));
      }
    });
    request.upload.addEventListener("load", () => {
      show(100);
      bar.classList.add("progress-bar-striped", "progress-bar-animated");
      label.textContent = form.dataset.busyText;
    });
    request.addEventListener("load", () => {
      // The server's answer (the preview, the form with its errors, or the inmate list after a
      // redirect) replaces this page as if the browser had posted the form itself.
      const url = request.responseURL;
      document.open();
      document.write(request.responseText);
      document.close();
      if (url && url !== window.location.href) window.history.pushState(null, "", url);
    });
    request.addEventListener("error", () => {
      label.textContent = form.dataset.failedText;
      bar.classList.remove("progress-bar-animated");
      buttons.forEach((button) => { button.disabled = false; });
    });
    request.send(new FormData(form));
  });
});
