/* A dashboard export's page: follows the job's progress until its file is ready. */
(function () {
  var box = document.getElementById("export-job");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") return;
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (job) {
      document.getElementById("export-progress").value = job.progress;
      document.getElementById("export-status").textContent = "État : " + job.status_label + " (" + job.progress + " %)";
      if (job.download_url) { document.getElementById("export-download").hidden = false; return; }
      if (job.status !== "failed") setTimeout(poll, 2000);
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
