/* Activity report form: one tap on "individuel" puts one participant back. */
(function () {
  var participants = document.querySelector("input[name='participants']");
  document.querySelectorAll("input[name='kind']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked && radio.value === "individual" && participants) participants.value = 1;
    });
  });
})();
