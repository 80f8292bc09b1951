// Credit record entry form: shows the fields of the chosen record type and marks those it requires.
(function () {
  "use strict";
  var form = document.querySelector("[data-credit-record-form]");
  if (!form) return;
  var type = form.querySelector("#recordType");
  function update() {
    form.querySelectorAll("[data-types]").forEach(function (box) {
      var applies = box.getAttribute("data-types").split(" ").indexOf(type.value) >= 0;
      var required = box.getAttribute("data-required").split(" ").indexOf(type.value) >= 0;
      box.classList.toggle("d-none", !applies);
      var mark = box.querySelector(".required-mark");
      if (mark) mark.classList.toggle("d-none", !required);
    });
  }
  type.addEventListener("change", update);
  update();
})();
