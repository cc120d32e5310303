// "Select all" for lists of checkboxes: a form marked data-select-all holds a checkbox
// marked data-select-all-toggle (hidden until this script shows it) and checkboxes named
// in data-select-all. Without JavaScript each row is ticked by hand.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-select-all]");
  Array.prototype.forEach.call(forms, function (form) {
    var toggle = form.querySelector("[data-select-all-toggle]");
    if (!toggle) { return; }
    var name = form.getAttribute("data-select-all");
    var boxes = function () {
      return form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    };
    var sync = function () {
      var all = boxes();
      var ticked = Array.prototype.filter.call(all, function (box) { return box.checked; });
      toggle.checked = all.length > 0 && ticked.length === all.length;
      toggle.indeterminate = ticked.length > 0 && ticked.length < all.length;
    };
    toggle.hidden = false;
    toggle.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes(), function (box) { box.checked = toggle.checked; });
      sync();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== toggle) { sync(); }
    });
    sync();
  });
})();
