/* 国密 SM3 and SM2 in the browser (WebCrypto has neither), shared by the sealed-bid page (SM2 encryption, decryption
   and bid signatures: tendering/sealed_bid.js) and certificate login (tendering-free: accounts/cert_login.js).
   SM3 per GB/T 32905 on Uint32; SM2 per GB/T 32918 on BigInt, affine coordinates:
   - encryption: C1 ‖ C3 ‖ C2 (GM/T 0003.4-2012 order), C1 uncompressed — what ggzy.pki.sm.sm2_decrypt reads;
   - signatures: r ‖ s over e = SM3(Z ‖ M), Z with the default user ID "1234567812345678" (GM/T 0009 §10), k from
     crypto.getRandomValues — what ggzy.pki.sm.sm2_verify checks;
   - key files: the SEC 1 "EC PRIVATE KEY" that `ggzy pki demo` writes, or PKCS#8 with the SM2 curve.
   Exposed as window.ggzySm2. */
(function () {
  "use strict";

  var SM2_OID = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
  var SM2_USER_ID = new TextEncoder().encode("1234567812345678");

  // --- bytes ---------------------------------------------------------------------------------------------------
  function concat(parts) {
    var size = 0, i, out, offset = 0;
    for (i = 0; i < parts.length; i++) size += parts[i].length;
    out = new Uint8Array(size);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], offset); offset += parts[i].length; }
    return out;
  }
  function u32(n) { return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  function hex(bytes) { return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join(""); }
  function contains(bytes, pattern) {
    outer: for (var i = 0; i + pattern.length <= bytes.length; i++) {
      for (var j = 0; j < pattern.length; j++) { if (bytes[i + j] !== pattern[j]) continue outer; }
      return true;
    }
    return false;
  }
  function equalBytes(a, b) {  // constant time for equal lengths
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function pemBody(text, label) {
    var match = new RegExp("-----BEGIN " + label + "-----([\\s\\S]*?)-----END " + label + "-----").exec(text || "");
    if (!match) return null;
    try {
      var binary = atob(match[1].replace(/\s+/g, "")), out = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    } catch (e) { return null; }
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

  // --- SM2 (GB/T 32918): the curve in affine coordinates with BigInt ---------------------------------------------
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
  function onCurve(point) {
    return point[0] >= 0n && point[0] < P && point[1] >= 0n && point[1] < P &&
      mod(point[1] * point[1] - (point[0] * point[0] * point[0] + A * point[0] + B)) === 0n;
  }
  function kdf(z, length) {
    var parts = [];
    for (var counter = 1; parts.length * 32 < length; counter++) parts.push(sm3(concat([z, u32(counter)])));
    return concat(parts).subarray(0, length);
  }
  function isZero(bytes) { for (var i = 0; i < bytes.length; i++) { if (bytes[i]) return false; } return true; }
  function randomScalar() {
    for (;;) {
      var k = toBigInt(window.crypto.getRandomValues(new Uint8Array(32)));
      if (k > 0n && k < N) return k;
    }
  }
  function sm2Point(publicKey, what) {
    if (publicKey.length !== 65 || publicKey[0] !== 4) throw new Error(what + "格式不正确（应为65字节未压缩SM2公钥）");
    var point = [toBigInt(publicKey.subarray(1, 33)), toBigInt(publicKey.subarray(33, 65))];
    if (!onCurve(point)) throw new Error(what + "不在SM2曲线上");
    return point;
  }
  /* C1 ‖ C3 ‖ C2 (GM/T 0003.4-2012 order), C1 uncompressed — what ggzy.pki.sm.sm2_decrypt reads. */
  function sm2Encrypt(publicKey, message, scalar, what) {
    var point = sm2Point(publicKey, what || "开标密钥");
    for (;;) {
      var k = scalar || randomScalar();
      var c1 = multiply(k, G), shared = multiply(k, point);
      var x2 = toBytes32(shared[0]), y2 = toBytes32(shared[1]);
      var t = kdf(concat([x2, y2]), message.length);
      if (isZero(t)) { if (scalar) throw new Error("k 无效"); continue; }
      var c2 = message.map(function (byte, i) { return byte ^ t[i]; });
      var c3 = sm3(concat([x2, message, y2]));
      return concat([new Uint8Array([4]), toBytes32(c1[0]), toBytes32(c1[1]), c3, c2]);
    }
  }
  /* Inverse of sm2Encrypt with the 32-byte private key d: checks C1 on the curve, t ≠ 0 and C3 = SM3(x2‖M‖y2). */
  function sm2Decrypt(privateKey, ciphertext) {
    var d = privateKey instanceof Uint8Array ? toBigInt(privateKey) : privateKey;
    if (!(d > 0n && d < N - 1n)) throw new Error("SM2私钥数值超出范围");
    if (ciphertext.length < 98 || ciphertext[0] !== 4) throw new Error("SM2密文格式错误（应为 C1‖C3‖C2，C1未压缩）");
    var c1 = [toBigInt(ciphertext.subarray(1, 33)), toBigInt(ciphertext.subarray(33, 65))];
    if (!onCurve(c1)) throw new Error("SM2密文的C1点不在曲线上（密文已损坏）");
    var shared = multiply(d, c1);
    if (shared === null) throw new Error("SM2密文无效（C1为无穷远点）");
    var x2 = toBytes32(shared[0]), y2 = toBytes32(shared[1]), c2 = ciphertext.subarray(97);
    var t = kdf(concat([x2, y2]), c2.length);
    if (isZero(t)) throw new Error("SM2解密失败：密钥派生结果全为零");
    var message = c2.map(function (byte, i) { return byte ^ t[i]; });
    if (!equalBytes(sm3(concat([x2, message, y2])), ciphertext.subarray(65, 97))) {
      message.fill(0);
      throw new Error("SM2解密失败：C3校验不符（私钥不匹配或密文被篡改）");
    }
    return message;
  }

  // --- SM2 signatures (GB/T 32918.2) ----------------------------------------------------------------------------
  function inverseModN(a) {
    var t = 0n, newT = 1n, r = N, newR = ((a % N) + N) % N, q, tmp;
    while (newR !== 0n) {
      q = r / newR;
      tmp = t - q * newT; t = newT; newT = tmp;
      tmp = r - q * newR; r = newR; newR = tmp;
    }
    return ((t % N) + N) % N;
  }
  function sm2PublicKey(scalar) {
    var point = multiply(toBigInt(scalar), G);
    return concat([new Uint8Array([4]), toBytes32(point[0]), toBytes32(point[1])]);
  }
  /* Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GB/T 32918.2 §5.5), as sm.sm2_z. */
  function sm2Z(publicKey, userId) {
    var id = userId || SM2_USER_ID, bits = id.length * 8;
    return sm3(concat([new Uint8Array([bits >>> 8, bits & 255]), id, toBytes32(A), toBytes32(B), toBytes32(G[0]),
                       toBytes32(G[1]), publicKey.subarray(1, 33), publicKey.subarray(33, 65)]));
  }
  /* r ‖ s (64 bytes) over e = SM3(Z ‖ message) (GB/T 32918.2 §6.1), k from crypto.getRandomValues; ``nonce``
     fixes k for the standard's example only. */
  function sm2Sign(scalar, message, publicKey, nonce) {
    var d = toBigInt(scalar);
    if (!(d > 0n && d < N - 1n)) throw new Error("SM2私钥数值超出范围");
    var e = toBigInt(sm3(concat([sm2Z(publicKey || sm2PublicKey(scalar)), message])));
    var inverse1d = inverseModN(1n + d);
    for (;;) {
      var k = nonce ? toBigInt(nonce) : randomScalar();
      var r = (e + multiply(k, G)[0]) % N;
      var s = r === 0n || r + k === N ? 0n : (inverse1d * (((k - r * d) % N) + N)) % N;
      if (s !== 0n) return concat([toBytes32(r), toBytes32(s)]);
      if (nonce) throw new Error("k 无效");
    }
  }
  /* Verification (§7.1), for the page's own checks and tests. */
  function sm2Verify(publicKey, message, signature) {
    var point = sm2Point(publicKey, "SM2公钥");
    if (signature.length !== 64) return false;
    var r = toBigInt(signature.subarray(0, 32)), s = toBigInt(signature.subarray(32, 64));
    if (!(r > 0n && r < N && s > 0n && s < N)) return false;
    var t = (r + s) % N;
    if (t === 0n) return false;
    var e = toBigInt(sm3(concat([sm2Z(publicKey), message])));
    var sum = add(multiply(s, G), multiply(t, point));
    return sum !== null && (e + sum[0]) % N === r;
  }
  // --- DER reading (just enough for certificates and private keys) ----------------------------------------------
  function readTlv(bytes, offset) {
    if (offset + 2 > bytes.length) throw new Error("DER truncated");
    var tag = bytes[offset], length = bytes[offset + 1], start = offset + 2;
    if (length & 0x80) {
      var count = length & 0x7f;
      if (count < 1 || count > 4) throw new Error("DER length");
      length = 0;
      for (var i = 0; i < count; i++) length = length * 256 + bytes[start + i];
      start += count;
    }
    if (start + length > bytes.length) throw new Error("DER truncated");
    return { tag: tag, start: start, end: start + length, offset: offset };
  }
  function children(bytes, tlv) {
    var out = [], at = tlv.start;
    while (at < tlv.end) { var child = readTlv(bytes, at); out.push(child); at = child.end; }
    return out;
  }

  // --- key files and certificates ------------------------------------------------------------------------------
  /* The SM2 private scalar d (32 bytes) of a key file (PEM text), or null when the file is not an SM2 key (the
     caller handles other algorithms). Throws, in Chinese, when it is an SM2 key file that cannot be used. */
  function privateKeyFromPem(text) {
    if ((text || "").indexOf("ENCRYPTED PRIVATE KEY") >= 0) return null;
    var ec = pemBody(text, "EC PRIVATE KEY"), der = ec || pemBody(text, "PRIVATE KEY");
    if (!der || !contains(der, SM2_OID)) return null;
    var sec1 = der;
    try {
      if (!ec) { var info = children(der, readTlv(der, 0)); sec1 = der.subarray(info[2].start, info[2].end); }
      var fields = children(sec1, readTlv(sec1, 0));
      if (fields.length < 2 || fields[0].tag !== 0x02 || sec1[fields[0].start] !== 1 || fields[1].tag !== 0x04) throw new Error("structure");
      var d = sec1.subarray(fields[1].start, fields[1].end);
      if (d.length > 32) throw new Error("length");
      var scalar = new Uint8Array(32);
      scalar.set(d, 32 - d.length);
      var value = toBigInt(scalar);
      if (!(value > 0n && value < N - 1n)) throw new Error("range");
      return scalar;
    } catch (e) { throw new Error("SM2私钥文件已损坏，无法读取。"); }
  }
  /* The SM2 public key (65 bytes 04‖x‖y) of a certificate (DER), or null when its key is not SM2. */
  function certificatePublicKey(certificateDer) {
    var fields = children(certificateDer, children(certificateDer, readTlv(certificateDer, 0))[0]);
    if (fields[0].tag === 0xa0) fields = fields.slice(1);
    var spki = certificateDer.subarray(fields[5].offset, fields[5].end);  // serial, signature, issuer, validity, subject, spki
    if (!contains(spki, SM2_OID)) return null;
    var bits = children(spki, readTlv(spki, 0))[1];
    if (!bits || bits.tag !== 0x03 || spki[bits.start] !== 0) throw new Error("证书中的SM2公钥格式不正确。");
    return spki.slice(bits.start + 1, bits.end);
  }
  function signatureToDer(signature) {  // r ‖ s → SEQUENCE { r INTEGER, s INTEGER }, as sm.sm2_signature_to_der
    function integer(bytes) {
      var at = 0;
      while (at < bytes.length - 1 && bytes[at] === 0) at++;
      var body = bytes.subarray(at);
      if (body[0] & 0x80) body = concat([new Uint8Array([0]), body]);
      return concat([new Uint8Array([0x02, body.length]), body]);
    }
    var content = concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32, 64))]);
    return concat([new Uint8Array([0x30, content.length]), content]);
  }

  window.ggzySm2 = {
    sm3: sm3, encrypt: sm2Encrypt, decrypt: sm2Decrypt, point: sm2Point, sign: sm2Sign, verify: sm2Verify,
    publicKey: sm2PublicKey, z: sm2Z, signatureToDer: signatureToDer, privateKeyFromPem: privateKeyFromPem,
    certificatePublicKey: certificatePublicKey, toBigInt: toBigInt, N: N, readTlv: readTlv, children: children,
    // byte helpers the sealed-bid and certificate-login pages share
    bytes: { concat: concat, u32: u32, hex: hex, contains: contains, equalBytes: equalBytes, pemBody: pemBody }
  };
})();
