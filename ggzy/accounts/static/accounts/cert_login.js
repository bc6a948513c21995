/* 证书登录: sign the server's challenge with a key file, in the browser. The key never leaves the page: its file
   input has no name and only the signature, the certificate and the nonce are posted. ECDSA and RSA (PKCS#8) sign
   through WebCrypto; SM2 (SEC 1 "EC PRIVATE KEY" or PKCS#8) with SM3 and the default user ID through
   pki/sm2.js (window.ggzySm2, loaded first), as pki.login verifies it. */
(function () {
  "use strict";

  var OIDS = {
    sm2: [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d],
    rsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
    p256: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
    p384: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]
  };

  var shared = (window.ggzySm2 || {}).bytes || {};  // pki/sm2.js, loaded first
  var contains = shared.contains, pemBody = shared.pemBody;

  function readText(input) {
    var file = input.files && input.files[0];
    if (!file) return Promise.resolve(null);
    return file.text();
  }

  function base64(buffer) {
    var bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  /* Which WebCrypto algorithm a PKCS#8 key is for, or a reason it cannot be used here. */
  function keyAlgorithm(der) {
    if (contains(der, OIDS.rsa)) {
      return { importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, signParams: { name: "RSASSA-PKCS1-v1_5" } };
    }
    if (contains(der, OIDS.p256)) {
      return { importParams: { name: "ECDSA", namedCurve: "P-256" }, signParams: { name: "ECDSA", hash: "SHA-256" } };
    }
    if (contains(der, OIDS.p384)) {
      return { importParams: { name: "ECDSA", namedCurve: "P-384" }, signParams: { name: "ECDSA", hash: "SHA-384" } };
    }
    return { error: "无法识别私钥算法（支持国密SM2、ECDSA P-256/P-384 与 RSA）。" };
  }

  function showError(message) {
    var box = document.getElementById("cert-client-error");
    box.innerHTML = "";
    var item = document.createElement("li");
    item.textContent = message;
    box.appendChild(item);
    box.hidden = false;
  }

  /* An SM2 key file → sign(message) → DER signature, after checking the key is the certificate's. */
  function sm2Signer(certText, keyText) {
    var gm = window.ggzySm2;
    if (!gm || typeof BigInt === "undefined") throw new Error("浏览器不支持国密SM2计算（需要 BigInt），请使用投标客户端 ggzy-bid 登录。");
    var scalar = gm.privateKeyFromPem(keyText);
    var certDer = pemBody(certText, "CERTIFICATE"), point;
    try { point = certDer && gm.certificatePublicKey(certDer); } catch (e) { throw new Error("证书文件已损坏，无法读取其公钥。"); }
    if (!point) throw new Error("私钥文件是国密SM2私钥，但证书文件不是SM2证书：请选择与私钥配对的证书。");
    var derived = gm.publicKey(scalar), same = derived.length === point.length;
    for (var i = 0; same && i < point.length; i++) same = derived[i] === point[i];
    if (!same) throw new Error("私钥文件与证书文件不匹配：私钥对应的公钥不是证书中的公钥。");
    return function (message) { return gm.signatureToDer(gm.sign(scalar, message, point)); };
  }

  /* The text to sign: the login / sign-in challenge (GET), or (data-statement-fields, the recusal declaration) the
     statement the platform builds from the member's decision and reason — asked by POST with the choice in the
     JSON body (never in the URL), and signed exactly as the server keeps it. */
  function challengeRequest(form) {
    var init = { credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (!form.dataset.statementFields) return fetch(form.dataset.challengeUrl, init);
    var token = form.elements["csrfmiddlewaretoken"];
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = token ? token.value : "";
    init.body = JSON.stringify({
      recuse: form.elements["decision"].value === "recuse",
      reason: form.elements["reason"].value || ""
    });
    return fetch(form.dataset.challengeUrl, init);
  }

  async function challengeSignAndSubmit(form, certText, sign) {
    var response = await challengeRequest(form);
    var challenge = null;
    try { challenge = await response.json(); } catch (e) { challenge = null; }
    if (!response.ok || !challenge) throw new Error((challenge && challenge.detail) || "获取签名原文失败，请刷新页面重试。");
    var text = challenge.statement !== undefined ? challenge.statement : challenge.challenge;
    var pre = document.getElementById("challenge-text");
    pre.textContent = text;
    if (challenge.nonce) pre.dataset.nonce = challenge.nonce;
    var signature = await sign(new TextEncoder().encode(text));
    form.elements["certificate"].value = certText;
    form.elements["signature"].value = base64(signature);
    if (form.elements["nonce"]) form.elements["nonce"].value = challenge.nonce;
    form.submit();
  }

  /* Through the certificate agent (pki/agent.js): the certificate from the agent's list, the platform asked first
     whether it is expired or revoked, the challenge signed in the agent after the user confirms and types the PIN.
     No key reaches the page. */
  async function agentSignAndSubmit(form, select) {
    var agent = window.ggzyAgent;
    var certificate = agent.chosen(select);
    // binding (我的证书): the certificate is not the account's yet, so only expired / revoked refuse it
    await agent.check(certificate.certificate_pem, "login", form.dataset.agentBinding === "1");
    agent.progress("state_confirm");
    return challengeSignAndSubmit(form, certificate.certificate_pem, async function (message) {
      var signed = await agent.sign(certificate.id, message, "login", form.dataset.agentSummary || "证书登录");
      agent.done("state_signed");
      return signed.signature;
    });
  }

  async function signAndSubmit(form) {
    var select = document.getElementById("agent-cert-login");
    if (select && window.ggzyAgent && !window.ggzyAgent.useKeyFile(form)) return agentSignAndSubmit(form, select);
    var certText = await readText(document.getElementById("cert-file"));
    var keyText = await readText(document.getElementById("key-file"));
    if (!certText || certText.indexOf("-----BEGIN CERTIFICATE-----") < 0) {
      throw new Error("请选择PEM格式的证书文件（以 -----BEGIN CERTIFICATE----- 开头）。");
    }
    if (!keyText) throw new Error("请选择私钥文件。");
    if (keyText.indexOf("ENCRYPTED PRIVATE KEY") >= 0) {
      throw new Error("私钥文件已加密，网页无法使用；请先解密为未加密的PKCS#8格式，或使用 ggzy-bid 客户端。");
    }
    var sec1 = pemBody(keyText, "EC PRIVATE KEY"), der = pemBody(keyText, "PRIVATE KEY");
    if ((sec1 && contains(sec1, OIDS.sm2)) || (der && contains(der, OIDS.sm2))) {
      return challengeSignAndSubmit(form, certText, sm2Signer(certText, keyText));
    }
    if (!der) {
      throw new Error("私钥文件应为PKCS#8 PEM格式（以 -----BEGIN PRIVATE KEY----- 开头）；" +
                      "可用 openssl pkcs8 -topk8 -nocrypt 转换。");
    }
    var algorithm = keyAlgorithm(der);
    if (algorithm.error) throw new Error(algorithm.error);
    if (!window.crypto || !window.crypto.subtle) {
      throw new Error("浏览器不支持 WebCrypto（需通过 HTTPS 访问本平台）。");
    }
    var key;
    try {
      key = await window.crypto.subtle.importKey("pkcs8", der, algorithm.importParams, false, ["sign"]);
    } catch (e) {
      throw new Error("私钥无法导入：文件已损坏，或不是所述算法的PKCS#8私钥。");
    }
    return challengeSignAndSubmit(form, certText, function (message) {
      return window.crypto.subtle.sign(algorithm.signParams, key, message);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("cert-login-form");  /* also the 我的证书 binding form, the recusal form */
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = document.getElementById("cert-login-submit") || document.getElementById("recusal-button");
      button.disabled = true;
      signAndSubmit(form).catch(function (error) {
        if (window.ggzyAgent) window.ggzyAgent.idle();
        showError(error.message || String(error));
        button.disabled = false;
      });
    });
  });
})();
