// 常用意见: the picker fills the page's opinion field (a Form.io opinion / comment field, or a plain opinion textarea).
(function () {
  "use strict";
  var OPINION = /opinion|comment|remark|意见/i;
  function field() {
    var marked = document.querySelector("[data-opinion-field]");
    if (marked) return marked;
    var candidates = document.querySelectorAll(
      "[data-testid='decision'] textarea, [data-testid='decision'] input[type='text'], textarea[name='opinion'], input[name='opinion']",
    );
    for (var i = 0; i < candidates.length; i++) {
      var el = candidates[i];
      if (OPINION.test(el.getAttribute("name") || "") || OPINION.test(el.id || "")) return el;
    }
    return null;
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.matches || !select.matches("[data-opinion-picker]") || !select.value) return;
    var target = field();
    if (target) {
      target.value = select.value;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.dispatchEvent(new Event("change", { bubbles: true }));
      target.focus();
    }
    select.value = "";
  });
})();
