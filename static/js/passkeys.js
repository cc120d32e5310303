// Passkey ceremonies for forms marked data-passkey="create" or "get": ask the server for
// options, let the browser's authenticator answer, put the answer in the form's hidden
// "answer" field and submit the form. Without WebAuthn the forms stay hidden and the
// page's explanation (data-passkey-fallback) stays in view.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: options };
  }

  function answerOf(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toText(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toText(response.authenticatorData);
      answer.response.signature = toText(response.signature);
      if (response.userHandle) { answer.response.userHandle = toText(response.userHandle); }
    }
    return JSON.stringify(answer);
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    if (box) {
      // The page's own words, in its language, where the template gives them.
      box.textContent = box.getAttribute("data-passkey-error") || message;
      box.hidden = false;
    }
  }

  function run(form) {
    var kind = form.getAttribute("data-passkey");
    var token = form.querySelector("input[name=csrf_token]").value;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.getAttribute("data-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok || response.headers.get("Content-Type").indexOf("json") < 0) {
        throw new Error("options");
      }
      return response.json();
    }).then(function (options) {
      return kind === "create"
        ? navigator.credentials.create(creationOptions(options))
        : navigator.credentials.get(requestOptions(options));
    }).then(function (credential) {
      form.querySelector("input[name=answer]").value = answerOf(credential);
      form.submit();
    }).catch(function () {
      button.disabled = false;
      showError(form, "The passkey step did not finish. Reload the page and try again.");
    });
  }

  document.documentElement.classList.add("passkeys-ready");
  document.querySelectorAll("[data-passkey-fallback]").forEach(function (note) {
    note.hidden = true;
  });
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity || form.reportValidity()) { run(form); }
    });
  });
})();
