/* 浏览器端密封投标（投标人自持密钥，RSA 加密证书）: the same sealed format as ggzy-bid (ggzy/tendering/bidformat.py,
   ggzy/pki/envelope.py). One fresh AES-256-GCM content key seals every file, file name, the price sheet and the
   fingerprint in 1 MiB segments; the key is wrapped with RSA-OAEP/SHA-256 to the bidder's encryption certificate
   and with SM2 encryption (C1‖C3‖C2, SM3 KDF — done here with BigInt, WebCrypto has no SM2) to the lot's custodian
   key. Only ciphertext leaves the page. At the opening the private key file unwraps the content key locally. */
(function () {
  "use strict";

  var SEGMENT = 1 << 20;
  var HEADER = new TextEncoder().encode("GGZY-SEAL-1");
  var SM2_OID = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
  var RSA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

  // --- bytes ---------------------------------------------------------------------------------------------------
  function concat(parts) {
    var size = 0, i, out, offset = 0;
    for (i = 0; i < parts.length; i++) size += parts[i].length;
    out = new Uint8Array(size);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], offset); offset += parts[i].length; }
    return out;
  }
  function u32(n) { return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  function b64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }
  function unb64(text) {
    var binary = atob(text), out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  function hex(bytes) { return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join(""); }
  function contains(bytes, pattern) {
    outer: for (var i = 0; i + pattern.length <= bytes.length; i++) {
      for (var j = 0; j < pattern.length; j++) { if (bytes[i + j] !== pattern[j]) continue outer; }
      return true;
    }
    return false;
  }
  function pemBody(text, label) {
    var match = new RegExp("-----BEGIN " + label + "-----([\\s\\S]*?)-----END " + label + "-----").exec(text || "");
    return match ? unb64(match[1].replace(/\s+/g, "")) : null;
  }

  // --- SM3 (GB/T 32905) ----------------------------------------------------------------------------------------
  function rotl(x, n) { n %= 32; return ((x << n) | (x >>> (32 - n))) >>> 0; }
  function sm3(message) {
    var iv = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
    var bitLength = message.length * 8;
    var padded = new Uint8Array(((message.length + 9 + 63) >> 6) << 6);
    padded.set(message);
    padded[message.length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
    view.setUint32(padded.length - 4, bitLength >>> 0);
    var v = iv.slice(), w = new Array(68), w1 = new Array(64), j;
    for (var block = 0; block < padded.length; block += 64) {
      for (j = 0; j < 16; j++) w[j] = view.getUint32(block + 4 * j);
      for (j = 16; j < 68; j++) {
        var x = w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15);
        w[j] = ((x ^ rotl(x, 15) ^ rotl(x, 23)) ^ rotl(w[j - 13], 7) ^ w[j - 6]) >>> 0;
      }
      for (j = 0; j < 64; j++) w1[j] = (w[j] ^ w[j + 4]) >>> 0;
      var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
      for (j = 0; j < 64; j++) {
        var t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
        var ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) >>> 0, 7);
        var ss2 = (ss1 ^ rotl(a, 12)) >>> 0;
        var ff = j < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c));
        var gg = j < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
        var tt1 = (ff + d + ss2 + w1[j]) >>> 0;
        var tt2 = (gg + h + ss1 + w[j]) >>> 0;
        d = c; c = rotl(b, 9); b = a; a = tt1;
        h = g; g = rotl(f, 19); f = e; e = (tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)) >>> 0;
      }
      v = [a ^ v[0], b ^ v[1], c ^ v[2], d ^ v[3], e ^ v[4], f ^ v[5], g ^ v[6], h ^ v[7]].map(function (n) { return n >>> 0; });
    }
    var out = new Uint8Array(32), outView = new DataView(out.buffer);
    for (j = 0; j < 8; j++) outView.setUint32(4 * j, v[j]);
    return out;
  }

  // --- SM2 public-key encryption (GB/T 32918.4), affine coordinates with BigInt ---------------------------------
  var P = BigInt("0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff");
  var A = P - 3n;
  var B = BigInt("0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93");
  var N = BigInt("0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
  var G = [BigInt("0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"),
           BigInt("0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0")];

  function mod(a) { var r = a % P; return r < 0n ? r + P : r; }
  function inverse(a) {
    var t = 0n, newT = 1n, r = P, newR = mod(a), q, tmp;
    while (newR !== 0n) {
      q = r / newR;
      tmp = t - q * newT; t = newT; newT = tmp;
      tmp = r - q * newR; r = newR; newR = tmp;
    }
    return mod(t);
  }
  function add(p1, p2) {
    if (p1 === null) return p2;
    if (p2 === null) return p1;
    var lambda;
    if (p1[0] === p2[0]) {
      if (mod(p1[1] + p2[1]) === 0n) return null;
      lambda = mod((3n * p1[0] * p1[0] + A) * inverse(2n * p1[1]));
    } else {
      lambda = mod((p2[1] - p1[1]) * inverse(p2[0] - p1[0]));
    }
    var x = mod(lambda * lambda - p1[0] - p2[0]);
    return [x, mod(lambda * (p1[0] - x) - p1[1])];
  }
  function multiply(k, point) {
    var result = null, addend = point;
    while (k > 0n) {
      if (k & 1n) result = add(result, addend);
      addend = add(addend, addend);
      k >>= 1n;
    }
    return result;
  }
  function toBigInt(bytes) { return BigInt("0x" + (hex(bytes) || "0")); }
  function toBytes32(n) {
    var text = n.toString(16).padStart(64, "0"), out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  function onCurve(point) { return mod(point[1] * point[1] - (point[0] * point[0] * point[0] + A * point[0] + B)) === 0n; }
  function kdf(z, length) {
    var parts = [];
    for (var counter = 1; parts.length * 32 < length; counter++) parts.push(sm3(concat([z, u32(counter)])));
    return concat(parts).subarray(0, length);
  }
  function randomScalar() {
    for (;;) {
      var k = toBigInt(window.crypto.getRandomValues(new Uint8Array(32)));
      if (k > 0n && k < N) return k;
    }
  }
  /* C1 ‖ C3 ‖ C2 (GM/T 0003.4-2012 order), C1 uncompressed — what ggzy.pki.sm.sm2_decrypt reads. */
  function sm2Encrypt(publicKey, message, scalar) {
    if (publicKey.length !== 65 || publicKey[0] !== 4) throw new Error("开标密钥格式不正确");
    var point = [toBigInt(publicKey.subarray(1, 33)), toBigInt(publicKey.subarray(33, 65))];
    if (!onCurve(point)) throw new Error("开标密钥不在SM2曲线上");
    for (;;) {
      var k = scalar || randomScalar();
      var c1 = multiply(k, G), shared = multiply(k, point);
      var x2 = toBytes32(shared[0]), y2 = toBytes32(shared[1]);
      var t = kdf(concat([x2, y2]), message.length);
      if (!t.some(function (byte) { return byte !== 0; })) { if (scalar) throw new Error("k 无效"); continue; }
      var c2 = message.map(function (byte, i) { return byte ^ t[i]; });
      var c3 = sm3(concat([x2, message, y2]));
      return concat([new Uint8Array([4]), toBytes32(c1[0]), toBytes32(c1[1]), c3, c2]);
    }
  }

  // --- the envelope (ggzy/pki/envelope.py: header, 8-byte nonce prefix, 1 MiB segments, AAD) --------------------
  function context(lotId, purpose) { return new TextEncoder().encode("ggzy-bid-client|lot:" + lotId + "|" + purpose); }
  async function sealBytes(key, data, aadContext) {
    var prefix = window.crypto.getRandomValues(new Uint8Array(8)), parts = [HEADER, prefix];
    var count = Math.max(1, Math.ceil(data.length / SEGMENT));
    for (var index = 0; index < count; index++) {
      var final = index === count - 1;
      var aad = concat([aadContext, u32(index), new Uint8Array([final ? 1 : 0])]);
      var sealed = await window.crypto.subtle.encrypt(
        { name: "AES-GCM", iv: concat([prefix, u32(index)]), additionalData: aad, tagLength: 128 }, key,
        data.subarray(index * SEGMENT, (index + 1) * SEGMENT));
      parts.push(new Uint8Array(sealed));
    }
    return concat(parts);
  }

  // --- certificates (just enough DER to find the SubjectPublicKeyInfo) ------------------------------------------
  function readTlv(bytes, offset) {
    var tag = bytes[offset], length = bytes[offset + 1], start = offset + 2;
    if (length & 0x80) {
      var count = length & 0x7f;
      length = 0;
      for (var i = 0; i < count; i++) length = length * 256 + bytes[start + i];
      start += count;
    }
    return { tag: tag, start: start, end: start + length, offset: offset };
  }
  function children(bytes, tlv) {
    var out = [], at = tlv.start;
    while (at < tlv.end) { var child = readTlv(bytes, at); out.push(child); at = child.end; }
    return out;
  }
  function subjectPublicKeyInfo(certificateDer) {
    var tbs = children(certificateDer, readTlv(certificateDer, 0))[0];
    var fields = children(certificateDer, tbs);
    if (fields[0].tag === 0xa0) fields = fields.slice(1);
    var spki = fields[5];  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    return certificateDer.slice(spki.offset, spki.end);
  }

  // --- the page -------------------------------------------------------------------------------------------------
  function fileBytes(file) { return file.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); }); }
  function csrf() { var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie); return m ? decodeURIComponent(m[1]) : ""; }
  async function api(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (body && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    var response = await fetch(url, { method: method, body: body, headers: headers, credentials: "same-origin" });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      var detail = (data && data.detail) || ("HTTP " + response.status);
      if (data && data.errors) detail += "：" + Object.values(data.errors).flat().join("；");
      throw new Error(detail);
    }
    return data;
  }
  function show(id, message, isError) {
    var box = document.getElementById(id);
    box.textContent = message;
    box.className = isError ? "msg-error" : "msg-success";
    box.hidden = false;
  }
  function browserId() {
    var id = window.localStorage.getItem("ggzy-web-bid-id");
    if (!id) { id = "ggzy-web-" + hex(window.crypto.getRandomValues(new Uint8Array(12))); window.localStorage.setItem("ggzy-web-bid-id", id); }
    return id;
  }

  async function seal(section) {
    var lotId = section.dataset.lotId, base = section.dataset.apiBase;
    var certFile = document.getElementById("sealed-cert-file").files[0];
    var files = Array.prototype.slice.call(document.getElementById("sealed-files").files);
    if (!certFile) throw new Error("请选择加密证书文件（PEM）。");
    if (!files.length) throw new Error("请至少选择一个投标文件。");
    var certPem = await certFile.text(), certDer = pemBody(certPem, "CERTIFICATE");
    if (!certDer) throw new Error("加密证书应为PEM格式（以 -----BEGIN CERTIFICATE----- 开头）。");
    var spki = subjectPublicKeyInfo(certDer);
    if (contains(spki, SM2_OID)) throw new Error("这是国密SM2加密证书：浏览器不支持SM2解密，请使用投标客户端 ggzy-bid 递交。");
    if (!contains(spki, RSA_OID)) throw new Error("网页只支持RSA加密证书。");
    var sheet = { total_price: document.getElementById("sealed-total-price").value.trim(),
                  quality: document.getElementById("sealed-quality").value.trim() };
    var days = document.getElementById("sealed-duration").value.trim();
    if (days) sheet.duration_days = parseInt(days, 10);
    var bidderKey = await window.crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    var sealing = await api("GET", base + "/lots/" + lotId + "/sealing-key");
    var raw = window.crypto.getRandomValues(new Uint8Array(32));
    var key = await window.crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt"]);
    var encoder = new TextEncoder(), form = new FormData(), names = [], hashes = [];
    for (var i = 0; i < files.length; i++) {
      var content = await fileBytes(files[i]);
      hashes.push(hex(new Uint8Array(await window.crypto.subtle.digest("SHA-256", content))));
      names.push(b64(await sealBytes(key, encoder.encode(files[i].name), context(lotId, "name:" + i))));
      form.append("files", new Blob([await sealBytes(key, content, context(lotId, "file:" + i))]), "sealed-" + i + ".bin");
    }
    var manifest = {
      algorithm: "aes-256-gcm",
      price_sheet_sealed: b64(await sealBytes(key, encoder.encode(JSON.stringify(sheet)), context(lotId, "price_sheet"))),
      fingerprint_sealed: b64(await sealBytes(key, encoder.encode(JSON.stringify({ file_creator_id: browserId() })),
                                              context(lotId, "fingerprint"))),
      names_sealed: names, plaintext_hashes: hashes,
      wrap_to_bidder: b64(new Uint8Array(await window.crypto.subtle.encrypt({ name: "RSA-OAEP" }, bidderKey, raw))),
      wrap_to_custodians: b64(sm2Encrypt(unb64(sealing.public_key), raw)),
      custodian_key_id: sealing.key_id, bidder_certificate_pem: certPem
    };
    raw.fill(0);
    form.append("manifest", JSON.stringify(manifest));
    return api("POST", base + "/lots/" + lotId + "/sealed-bid", form);
  }

  async function decrypt(section) {
    var lotId = section.dataset.lotId, base = section.dataset.apiBase;
    var keyFile = document.getElementById("sealed-key-file").files[0];
    if (!keyFile) throw new Error("请选择加密证书的私钥文件。");
    var keyText = await keyFile.text();
    if (keyText.indexOf("ENCRYPTED PRIVATE KEY") >= 0) throw new Error("私钥文件已加密，网页无法使用；请使用 ggzy-bid 客户端。");
    var der = pemBody(keyText, "PRIVATE KEY");
    if (!der) throw new Error("私钥文件应为PKCS#8 PEM格式（以 -----BEGIN PRIVATE KEY----- 开头）。");
    if (contains(der, SM2_OID)) throw new Error("这是国密SM2私钥：浏览器不支持SM2，请使用投标客户端 ggzy-bid 解密。");
    var privateKey;
    try {
      privateKey = await window.crypto.subtle.importKey("pkcs8", der, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
    } catch (e) { throw new Error("私钥无法导入：文件已损坏，或不是RSA私钥。"); }
    var wrapped = await api("GET", base + "/lots/" + lotId + "/sealed-bid/wrapped-key");
    var contentKey;
    try {
      contentKey = new Uint8Array(await window.crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, unb64(wrapped.wrapped_key)));
    } catch (e) { throw new Error("私钥与递交投标时使用的加密证书不匹配，无法解开内容密钥。"); }
    var result = await api("POST", base + "/lots/" + lotId + "/sealed-bid/decrypt", { content_key: b64(contentKey) });
    contentKey.fill(0);
    return result;
  }

  function bind(section, buttonId, action, messageId, done) {
    var button = document.getElementById(buttonId);
    if (!button) return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      button.disabled = true;
      action(section).then(function (state) {
        show(messageId, done + "：" + state.state_display, false);
        var tag = document.getElementById("sealed-state");
        if (tag) tag.textContent = state.state_display;
      }).catch(function (error) {
        show(messageId, error.message || String(error), true);
      }).finally(function () { button.disabled = false; });
    });
  }

  window.ggzySealedBid = { sm3: sm3, sm2Encrypt: sm2Encrypt, sealBytes: sealBytes, hex: hex };
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("sealed-bid-panel");
    if (!section) return;
    if (!window.crypto || !window.crypto.subtle || typeof BigInt === "undefined") {
      show("sealed-message", "浏览器不支持 WebCrypto 或 BigInt（需通过 HTTPS 访问本平台），请使用投标客户端 ggzy-bid。", true);
      return;
    }
    bind(section, "sealed-submit", seal, "sealed-message", "已加密并递交");
    bind(section, "sealed-decrypt", decrypt, "sealed-message", "解密结果");
  });
})();
