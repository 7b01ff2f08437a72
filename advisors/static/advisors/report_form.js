/* Activity report form: one tap on "individuel" puts one participant back; the workshop's
   title shows for a workshop; at the service point, the commune is the place's (its field
   is hidden), elsewhere the place list is. */
(function () {
  var participants = document.querySelector("input[name='participants']");
  var workshop = document.getElementById("report-workshop");
  function syncKind() {
    var checked = document.querySelector("input[name='kind']:checked");
    // The workshop's title is asked only for a workshop (kept in view when in error).
    if (workshop) workshop.hidden = !(checked && checked.value === "workshop")
      && !workshop.querySelector(".fr-input-group--error");
  }
  document.querySelectorAll("input[name='kind']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked && radio.value === "individual" && participants) participants.value = 1;
      syncKind();
    });
  });
  syncKind();
  var channel = document.getElementById("id_channel");
  var point = document.getElementById("id_service_point");
  var commune = document.getElementById("id_commune");
  function group(input) {
    return input ? input.closest(".fr-input-group, .fr-select-group") : null;
  }
  function sync() {
    if (!channel) return;
    var atPoint = channel.value === "service_point";
    var communeGroup = group(commune), pointGroup = group(point);
    if (communeGroup) communeGroup.hidden = atPoint && !communeGroup.classList.contains("fr-input-group--error");
    if (pointGroup) pointGroup.hidden = !atPoint && !pointGroup.classList.contains("fr-select-group--error");
  }
  if (channel) channel.addEventListener("change", sync);
  sync();
})();
