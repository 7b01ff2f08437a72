// The trainer's QR screen: counts down to the next code and fetches it (every 30 s, and
// every 5 s the number of people present), without reloading the page.
(function () {
  "use strict";
  var box = document.querySelector("[data-attendance-qr]");
  if (!box) { return; }
  var image = box.querySelector("img");
  var countdown = box.querySelector("[data-countdown]");
  var present = box.querySelector("[data-present]");
  var left = parseInt(countdown.textContent, 10) || 30;
  var polls = 0;

  function refresh() {
    fetch(box.dataset.codeUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (!data.open) { window.location.reload(); return; }
        if (data.url !== box.dataset.qrUrl) {
          box.dataset.qrUrl = data.url;
          image.src = data.image;
          image.alt = "QR code d'émargement : " + data.url;
        }
        left = data.seconds_left;
        countdown.textContent = left;
        present.textContent = data.present;
      })
      .catch(function () { /* offline a moment: the next tick tries again */ });
  }

  window.setInterval(function () {
    left -= 1;
    polls += 1;
    if (left <= 0 || polls % 5 === 0) { refresh(); }
    countdown.textContent = Math.max(left, 0);
  }, 1000);
})();
