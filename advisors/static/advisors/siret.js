/* Application form: once a valid SIRET is typed, ask the business register (through
   /conseillers-numeriques/candidater/siret/) and fill the structure's name, address and
   commune left empty. Without JavaScript, or with the register unreachable, the server
   fills them on submit or asks for them. */
(function () {
  var script = document.currentScript;
  var url = script && script.getAttribute("data-lookup-url");
  var input = document.getElementById("id_siret");
  var status = document.querySelector("[data-siret-status]");
  if (!url || !input || !window.fetch) return;
  var last = "";
  function fill(id, value) {
    var field = document.getElementById(id);
    if (field && value && !field.value.trim()) field.value = value;
  }
  function check() {
    var siret = input.value.replace(/\D/g, "");
    if (siret.length !== 14 || siret === last) return;
    last = siret;
    fetch(url + "?siret=" + siret, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (status) {
          status.textContent = data.message || "";
          status.hidden = !data.message;
        }
        if (data.status === "found" && data.active) {
          fill("id_name", data.name);
          fill("id_address", data.address);
          fill("id_commune", data.commune);
        }
      })
      .catch(function () { /* the register is optional */ });
  }
  input.addEventListener("change", check);
  input.addEventListener("blur", check);
})();
