// Applicant portal pages: "下一步" submits the Form.io form (validated on the server, kept as a draft, then the
// letter preview opens); on the preview, the signer's name appears in the letter as it is typed.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-action="apply-next"]') : null;
    if (!button) return;
    var el = document.querySelector("[data-form-renderer]");
    if (!el || !window.xyFormRenderer) return;
    button.disabled = true;
    window.xyFormRenderer
      .mount(el)
      .then(function (form) {
        var done = function () {
          button.disabled = false;
        };
        form.once("submitError", done);
        form.once("error", done);
        return form.submit().catch(function () {
          done();
          var first = el.querySelector(".has-error, .formio-error-wrapper, .is-invalid");
          if (first && first.scrollIntoView) first.scrollIntoView({ behavior: "smooth", block: "center" });
        });
      })
      .catch(function () {
        button.disabled = false;
      });
  });

  // Draft status: the renderer PUTs drafts while the person types and says how each save ended.
  var status = document.querySelector('[data-role="draft-status"]');
  if (status) {
    var clock = function () {
      var now = new Date();
      return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    };
    document.addEventListener("xy:draft-saved", function () {
      status.textContent = "草稿已自动保存（" + clock() + "）";
    });
    document.addEventListener("xy:draft-failed", function () {
      status.textContent = "草稿未能保存（" + clock() + "），请检查网络；提交前请勿关闭页面";
    });
  }

  var signer = document.querySelector('[data-role="signer-name"]');
  var line = document.querySelector(".letter-signature p");
  if (signer && line) {
    var update = function () {
      var name = signer.value.trim();
      line.textContent = "承诺人（签字）：" + (name || "＿＿＿＿＿＿");
    };
    signer.addEventListener("input", update);
    if (signer.value) update();
  }
})();
