/* Suggestions under a text field, as the person types: a <datalist> filled from a JSON
   address answering {"results": [{"label": …}]}. Shared by the commune fields
   (advisors/commune.js) and the élu's local authorities (academy/profile.js). */
window.anctSuggestions = function (input, list, addressFor) {
  input.setAttribute("list", list.id);
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch(addressFor(q))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.label;
            list.appendChild(option);
          });
        });
    }, 150);
  });
};
