// Upload with drag and drop and a progress bar. Progressive enhancement: without this script
// the form posts as it is, and the server answers 303 to the library.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var drop = form.querySelector("[data-drop]");
  var input = form.querySelector("input[type=file]");
  var bar = form.querySelector("progress");
  var status = form.querySelector("[data-status]");

  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      status.textContent = "Ready: " + input.files[0].name;
    }
  });

  form.addEventListener("submit", function (e) {
    if (!input.files.length) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) bar.value = Math.round(100 * p.loaded / p.total);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 100;
        window.location.assign("/"); // the 303 was followed: reload the library
        return;
      }
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var message = page.querySelector("main .card p");
      status.textContent = "The upload did not work: " + (message ? message.textContent : "status " + xhr.status);
      bar.hidden = true;
    });
    xhr.addEventListener("error", function () {
      status.textContent = "The upload did not reach Photos. Is it running?";
      bar.hidden = true;
    });
    xhr.send(new FormData(form));
  });
})();
