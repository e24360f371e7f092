// Small enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js-enabled");

  function focusErrorSummary() {
    var summary = document.querySelector("[data-autofocus]");
    if (!summary) { return; }
    // A search lands on its results (#results); with errors, the summary comes first.
    if (window.location.hash && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    summary.focus();
  }

  function locateButtons() {
    var buttons = document.querySelectorAll("[data-locate]");
    Array.prototype.forEach.call(buttons, function (button) {
      var form = button.closest("form");
      var status = form.querySelector(".locate-status");
      if (!("geolocation" in navigator)) { button.hidden = true; return; }
      button.addEventListener("click", function () {
        status.textContent = document.documentElement.lang === "en" ? "Finding your location…" : "正在获取您的位置…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
          status.textContent = "";
          form.submit();
        }, function () {
          status.textContent = document.documentElement.lang === "en"
            ? "Your location is not available. Enter coordinates or choose a region instead."
            : "无法获取您的位置,请输入坐标或选择地区。";
        }, { timeout: 10000, maximumAge: 60000 });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    locateButtons();
  });
  // Again once loaded: the browser's scroll to a #fragment may have taken the focus.
  window.addEventListener("load", function () {
    if (!document.activeElement || document.activeElement === document.body) { focusErrorSummary(); }
  });
})();
