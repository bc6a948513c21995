/* 浏览器端密封投标（投标人自持密钥，SM2 或 RSA 加密证书）: the same sealed format as ggzy-bid
   (ggzy/tendering/bidformat.py, ggzy/pki/envelope.py). One fresh content key seals every file, file name, the price
   sheet and the fingerprint in 1 MiB segments (header ‖ 8-byte nonce prefix ‖ segments; nonce = prefix ‖ u32(index),
   AAD = context ‖ u32(index) ‖ final flag). The content algorithm follows bidformat.content_algorithm_for:
   - SM2 encryption certificate: SM4-GCM (RFC 8998, header "GGZY-SEAL-S", 16-byte key). WebCrypto has neither SM4
     nor GCM over it, so both are implemented here (SM4 per GB/T 32907 with 32-bit T-tables; GCM per NIST SP 800-38D:
     96-bit IV, 128-bit tag, GHASH with a 4-bit Shoup table). The key is wrapped to the certificate with SM2
     encryption (C1‖C3‖C2, as sm.sm2_encrypt).
   - RSA encryption certificate: AES-256-GCM via WebCrypto, key wrapped with RSA-OAEP/SHA-256.
   Either way the key is also wrapped with SM2 to the lot's custodian key. SM2 and SM3 run on BigInt / Uint32
   (WebCrypto has no SM2), from ggzy/pki/static/pki/sm2.js, which the page loads before this file. Only ciphertext leaves the page. At the opening the private key file (SM2: SEC 1
   "EC PRIVATE KEY" as `ggzy pki demo` writes it, or PKCS#8 with the SM2 curve; RSA: PKCS#8) unwraps the content key
   locally and only the content key is posted, as ggzy-bid decrypt does. Encrypted key files are refused.
   Optionally the bid is signed here too (signing certificate + key file; see "signing the bid" below), and the
   SignedData sealed with the same content key, as ggzy-bid submit --sign-cert does. */
(function () {
  "use strict";

  var SEGMENT = 1 << 20;
  var FOLD = 8 * SEGMENT;  // sealFile moves its sealed parts into a Blob every ~8 MiB
  var TAG = 16;
  var HEADER = new TextEncoder().encode("GGZY-SEAL-1");
  var SM4_GCM = "sm4-gcm", AES_256_GCM = "aes-256-gcm";
  // envelope.ALGORITHMS: header (same length for both) and key size
  var ALGORITHMS = {};
  ALGORITHMS[AES_256_GCM] = { header: HEADER, keySize: 32 };
  ALGORITHMS[SM4_GCM] = { header: new TextEncoder().encode("GGZY-SEAL-S"), keySize: 16 };
  var SM2_OID = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
  var RSA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
  var MISMATCH = "私钥与递交投标时使用的加密证书不匹配，无法解开内容密钥。";

  // --- bytes ---------------------------------------------------------------------------------------------------
  var shared = (window.ggzySm2 || {}).bytes || {};  // pki/sm2.js, loaded first
  var concat = shared.concat, u32 = shared.u32, hex = shared.hex, contains = shared.contains,
      equalBytes = shared.equalBytes, pemBody = shared.pemBody;
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
  function unhex(text) {
    var out = new Uint8Array(text.length >> 1);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  function be32(bytes, at) { return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0; }
  function put32(bytes, at, word) {
    bytes[at] = word >>> 24; bytes[at + 1] = (word >>> 16) & 255; bytes[at + 2] = (word >>> 8) & 255; bytes[at + 3] = word & 255;
  }

  // --- SM3 and SM2 come from ggzy/pki/static/pki/sm2.js (loaded first), shared with certificate login ----------
  function rotl(x, n) { n %= 32; return ((x << n) | (x >>> (32 - n))) >>> 0; }
  var gm = window.ggzySm2 || {};  // missing: the page says so on load (below)
  var sm3 = gm.sm3, sm2Encrypt = gm.encrypt, sm2Decrypt = gm.decrypt, sm2Point = gm.point, sm2Sign = gm.sign,
      sm2Verify = gm.verify, sm2PublicKey = gm.publicKey, sm2Z = gm.z, toBigInt = gm.toBigInt, N = gm.N;
  var readTlv = gm.readTlv, children = gm.children;

  // --- SHA-256 (FIPS 180-4), incremental: WebCrypto only digests a whole buffer, and a bid file is read in segments
  var K256 = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  var SHA256_IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  /* Compress the 64-byte blocks bytes[at..end) into state h (Int32Array(8)); w is the Int32Array(64) schedule.
     Sums of int32 values stay exact in doubles, so ``| 0`` is addition mod 2^32. */
  function sha256Blocks(h, w, bytes, at, end) {
    var h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
    var a, b, c, d, e, f, g, hh, i, x, y, t1, t2;
    while (at < end) {
      for (i = 0; i < 16; i++, at += 4) w[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      for (i = 16; i < 64; i++) {
        x = w[i - 15]; y = w[i - 2];
        w[i] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w[i - 16] +
                (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[i - 7]) | 0;
      }
      a = h0; b = h1; c = h2; d = h3; e = h4; f = h5; g = h6; hh = h7;
      for (i = 0; i < 64; i++) {
        t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
              ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
        t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
              ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + hh) | 0;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
  }
  /* new Sha256(); .update(bytes) any number of times (whole blocks are hashed in place, only a partial block is
     kept); .digest() → 32 bytes, after which the object is spent. */
  function Sha256() {
    this.state = new Int32Array(SHA256_IV);
    this.schedule = new Int32Array(64);
    this.pending = new Uint8Array(64);
    this.buffered = 0;
    this.length = 0;  // bytes; a double is exact far beyond any file size
    this.done = false;
  }
  Sha256.prototype.update = function (bytes) {
    if (this.done) throw new Error("SHA-256 已结束");
    var n = bytes.length, at = 0;
    this.length += n;
    if (this.buffered) {
      at = Math.min(64 - this.buffered, n);
      this.pending.set(bytes.subarray(0, at), this.buffered);
      this.buffered += at;
      if (this.buffered < 64) return this;
      sha256Blocks(this.state, this.schedule, this.pending, 0, 64);
      this.buffered = 0;
    }
    var full = at + (n - at) - ((n - at) % 64);
    if (full > at) sha256Blocks(this.state, this.schedule, bytes, at, full);
    if (full < n) { this.pending.set(bytes.subarray(full), 0); this.buffered = n - full; }
    return this;
  };
  Sha256.prototype.digest = function () {
    if (this.done) throw new Error("SHA-256 已结束");
    this.done = true;
    var block = this.pending, used = this.buffered;
    block.fill(0, used);
    block[used] = 0x80;
    if (used >= 56) { sha256Blocks(this.state, this.schedule, block, 0, 64); block.fill(0); }
    put32(block, 56, Math.floor(this.length / 0x20000000));
    put32(block, 60, (this.length * 8) >>> 0);
    sha256Blocks(this.state, this.schedule, block, 0, 64);
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) put32(out, 4 * i, this.state[i] >>> 0);
    return out;
  };
  function sha256(bytes) { return new Sha256().update(bytes).digest(); }

  // --- SM4 (GB/T 32907): T-tables fold the S-box and the linear map L into four 256-word lookups ----------------
  var SBOX = unhex(
    "d690e9fecce13db716b614c228fb2c052b679a762abe04c3aa441326498606999c4250f491ef987a33540b43edcfac62" +
    "e4b31ca9c908e89580df94fa758f3fa64707a7fcf37317ba83593c19e6854fa8686b81b27164da8bf8eb0f4b70569d35" +
    "1e240e5e6358d1a225227c3b01217887d40046579fd327524c3602e7a0c4c89eeabf8ad240c738b5a3f7f2cef96115a1" +
    "e0ae5da49b341a55ad933230f58cb1e31df6e22e8266ca60c02923ab0d534e6fd5db3745defd8e2f03ff6a726d6c5b51" +
    "8d1baf92bbddbc7f11d95c411f105ad80ac13188a5cd7bbd2d74d012b8e5b4b08969974a0c96777e65b9f109c56ec684" +
    "18f07dec3adc4d2079ee5f3ed7cb3948");
  var FK = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc];
  var T0 = new Uint32Array(256), T1 = new Uint32Array(256), T2 = new Uint32Array(256), T3 = new Uint32Array(256);
  (function () {
    for (var a = 0; a < 256; a++) {
      var s = (SBOX[a] << 24) >>> 0;
      var l = (s ^ rotl(s, 2) ^ rotl(s, 10) ^ rotl(s, 18) ^ rotl(s, 24)) >>> 0;
      T0[a] = l; T1[a] = rotl(l, 24); T2[a] = rotl(l, 16); T3[a] = rotl(l, 8);
    }
  })();

  function sm4RoundKeys(key) {
    if (key.length !== 16) throw new Error("SM4密钥应为16字节");
    var k0 = be32(key, 0) ^ FK[0], k1 = be32(key, 4) ^ FK[1], k2 = be32(key, 8) ^ FK[2], k3 = be32(key, 12) ^ FK[3];
    var rk = new Uint32Array(32);
    for (var i = 0; i < 32; i++) {
      var ck = ((((28 * i) & 255) << 24) | (((28 * i + 7) & 255) << 16) | (((28 * i + 14) & 255) << 8) | ((28 * i + 21) & 255));
      var x = k1 ^ k2 ^ k3 ^ ck;
      var t = ((SBOX[x >>> 24] << 24) | (SBOX[(x >>> 16) & 255] << 16) | (SBOX[(x >>> 8) & 255] << 8) | SBOX[x & 255]) >>> 0;
      var next = (k0 ^ t ^ rotl(t, 13) ^ rotl(t, 23)) >>> 0;
      rk[i] = next; k0 = k1; k1 = k2; k2 = k3; k3 = next;
    }
    return rk;
  }
  /* One block (four big-endian words) → out[0..3]. */
  function sm4Words(rk, x0, x1, x2, x3, out) {
    var t;
    for (var i = 0; i < 32; i += 4) {
      t = x1 ^ x2 ^ x3 ^ rk[i];     x0 ^= T0[t >>> 24] ^ T1[(t >>> 16) & 255] ^ T2[(t >>> 8) & 255] ^ T3[t & 255];
      t = x2 ^ x3 ^ x0 ^ rk[i + 1]; x1 ^= T0[t >>> 24] ^ T1[(t >>> 16) & 255] ^ T2[(t >>> 8) & 255] ^ T3[t & 255];
      t = x3 ^ x0 ^ x1 ^ rk[i + 2]; x2 ^= T0[t >>> 24] ^ T1[(t >>> 16) & 255] ^ T2[(t >>> 8) & 255] ^ T3[t & 255];
      t = x0 ^ x1 ^ x2 ^ rk[i + 3]; x3 ^= T0[t >>> 24] ^ T1[(t >>> 16) & 255] ^ T2[(t >>> 8) & 255] ^ T3[t & 255];
    }
    out[0] = x3; out[1] = x2; out[2] = x1; out[3] = x0;
  }
  /* ECB of a single block, for known-answer tests only. */
  function sm4EncryptBlock(key, block) {
    var out = new Uint32Array(4), bytes = new Uint8Array(16);
    sm4Words(sm4RoundKeys(key), be32(block, 0), be32(block, 4), be32(block, 8), be32(block, 12), out);
    for (var i = 0; i < 4; i++) put32(bytes, 4 * i, out[i]);
    return bytes;
  }

  // --- GCM over SM4 (NIST SP 800-38D), 96-bit IV and 128-bit tag -------------------------------------------------
  // GHASH by 4-bit Shoup tables (as mbed TLS): M[n] = n·H for each nibble, LAST4 reduces the 4 bits shifted out.
  var LAST4 = [0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
               0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0];
  function ghashTable(h0, h1, h2, h3) {
    var table = new Uint32Array(64), i, j, w;
    table[32] = h0; table[33] = h1; table[34] = h2; table[35] = h3;  // nibble 1000b is x^0
    for (i = 4; i > 0; i >>= 1) {  // H·x, H·x², H·x³: shift right one bit, reduce by 0xe1
      var carry = h3 & 1;
      h3 = ((h3 >>> 1) | (h2 << 31)) >>> 0; h2 = ((h2 >>> 1) | (h1 << 31)) >>> 0;
      h1 = ((h1 >>> 1) | (h0 << 31)) >>> 0; h0 = ((h0 >>> 1) ^ (carry ? 0xe1000000 : 0)) >>> 0;
      table[4 * i] = h0; table[4 * i + 1] = h1; table[4 * i + 2] = h2; table[4 * i + 3] = h3;
    }
    for (i = 2; i <= 8; i *= 2) {
      for (j = 1; j < i; j++) { for (w = 0; w < 4; w++) table[4 * (i + j) + w] = table[4 * i + w] ^ table[4 * j + w]; }
    }
    return table;
  }
  /* y ← y·H in place (y: Uint32Array(4), big-endian words of the 128-bit block). */
  function ghashMultiply(y, table) {
    var z0 = 0, z1 = 0, z2 = 0, z3 = 0, word, n, rem, i, shift, first = true;
    for (i = 15; i >= 0; i--) {
      word = y[i >> 2] >>> (24 - 8 * (i & 3));
      for (shift = 0; shift <= 4; shift += 4) {  // low nibble, then high nibble
        if (!first) {
          rem = z3 & 15;
          z3 = (z3 >>> 4) | (z2 << 28); z2 = (z2 >>> 4) | (z1 << 28); z1 = (z1 >>> 4) | (z0 << 28);
          z0 = (z0 >>> 4) ^ (LAST4[rem] << 16);
        }
        first = false;
        n = ((word >>> shift) & 15) << 2;
        z0 ^= table[n]; z1 ^= table[n + 1]; z2 ^= table[n + 2]; z3 ^= table[n + 3];
      }
    }
    y[0] = z0; y[1] = z1; y[2] = z2; y[3] = z3;
  }
  function ghashBytes(y, table, bytes) {  // absorb bytes, zero-padded to a whole block
    for (var at = 0; at < bytes.length; at += 16) {
      var block = bytes.length - at >= 16 ? bytes.subarray(at, at + 16) : concat([bytes.subarray(at), new Uint8Array(16 - (bytes.length - at))]);
      y[0] ^= be32(block, 0); y[1] ^= be32(block, 4); y[2] ^= be32(block, 8); y[3] ^= be32(block, 12);
      ghashMultiply(y, table);
    }
  }
  function sm4GcmKey(key) {
    var rk = sm4RoundKeys(key), h = new Uint32Array(4);
    sm4Words(rk, 0, 0, 0, 0, h);
    return { rk: rk, table: ghashTable(h[0], h[1], h[2], h[3]) };
  }
  /* CTR from inc32(J0) over ``data`` and GHASH over the ciphertext; returns [output, tag]. */
  function sm4GcmCore(gcm, iv, data, aad, decrypting) {
    if (iv.length !== 12) throw new Error("SM4-GCM 的 IV 应为12字节");
    var rk = gcm.rk, table = gcm.table, y = new Uint32Array(4), ks = new Uint32Array(4);
    var n0 = be32(iv, 0), n1 = be32(iv, 4), n2 = be32(iv, 8), counter = 2;
    var out = new Uint8Array(data.length), full = data.length - (data.length & 15), at, c0, c1, c2, c3;
    ghashBytes(y, table, aad);
    for (at = 0; at < full; at += 16) {
      sm4Words(rk, n0, n1, n2, counter, ks);
      counter = (counter + 1) >>> 0;
      c0 = be32(data, at) ^ ks[0]; c1 = be32(data, at + 4) ^ ks[1]; c2 = be32(data, at + 8) ^ ks[2]; c3 = be32(data, at + 12) ^ ks[3];
      put32(out, at, c0); put32(out, at + 4, c1); put32(out, at + 8, c2); put32(out, at + 12, c3);
      if (decrypting) {
        y[0] ^= be32(data, at); y[1] ^= be32(data, at + 4); y[2] ^= be32(data, at + 8); y[3] ^= be32(data, at + 12);
      } else {
        y[0] ^= c0; y[1] ^= c1; y[2] ^= c2; y[3] ^= c3;
      }
      ghashMultiply(y, table);
    }
    if (full < data.length) {
      var stream = new Uint8Array(16);
      sm4Words(rk, n0, n1, n2, counter, ks);
      for (var w = 0; w < 4; w++) put32(stream, 4 * w, ks[w]);
      for (at = full; at < data.length; at++) out[at] = data[at] ^ stream[at - full];
      ghashBytes(y, table, (decrypting ? data : out).subarray(full));
    }
    var lengths = new Uint8Array(16);
    put32(lengths, 0, Math.floor(aad.length / 0x20000000)); put32(lengths, 4, (aad.length * 8) >>> 0);
    put32(lengths, 8, Math.floor(data.length / 0x20000000)); put32(lengths, 12, (data.length * 8) >>> 0);
    ghashBytes(y, table, lengths);
    sm4Words(rk, n0, n1, n2, 1, ks);  // E(K, J0)
    var tag = new Uint8Array(16);
    for (w = 0; w < 4; w++) put32(tag, 4 * w, (ks[w] ^ y[w]) >>> 0);
    return [out, tag];
  }
  /* ciphertext ‖ tag, as sm.sm4_gcm_encrypt. ``key`` is the 16-byte key or a prepared sm4GcmKey. */
  function sm4GcmEncrypt(key, iv, data, aad) {
    var result = sm4GcmCore(key.rk ? key : sm4GcmKey(key), iv, data, aad || new Uint8Array(0), false);
    return concat(result);
  }
  function sm4GcmDecrypt(key, iv, sealed, aad) {
    if (sealed.length < TAG) throw new Error("SM4-GCM密文过短");
    var body = sealed.subarray(0, sealed.length - TAG);
    var result = sm4GcmCore(key.rk ? key : sm4GcmKey(key), iv, body, aad || new Uint8Array(0), true);
    if (!equalBytes(result[1], sealed.subarray(sealed.length - TAG))) {
      result[0].fill(0);
      throw new Error("SM4-GCM认证失败：密文被篡改或密钥错误");
    }
    return result[0];
  }

  // --- the envelope (ggzy/pki/envelope.py: header, 8-byte nonce prefix, 1 MiB segments, AAD) --------------------
  function context(lotId, purpose) { return new TextEncoder().encode("ggzy-bid-client|lot:" + lotId + "|" + purpose); }
  function aadOf(aadContext, index, final) { return concat([aadContext, u32(index), new Uint8Array([final ? 1 : 0])]); }
  function pause() { return new Promise(function (resolve) { setTimeout(resolve, 0); }); }
  /* A content key for ``algorithm`` (envelope.ALGORITHMS): {algorithm, header, encrypt, decrypt}, both async. */
  async function contentKey(algorithm, raw) {
    var spec = ALGORITHMS[algorithm];
    if (!spec) throw new Error("不支持的内容加密算法：" + algorithm);
    if (raw.length !== spec.keySize) throw new Error("内容密钥长度错误");
    if (algorithm === SM4_GCM) {
      var gcm = sm4GcmKey(raw);
      return { algorithm: algorithm, header: spec.header,
               encrypt: async function (iv, aad, data) { await pause(); return sm4GcmEncrypt(gcm, iv, data, aad); },
               decrypt: async function (iv, aad, data) { await pause(); return sm4GcmDecrypt(gcm, iv, data, aad); } };
    }
    return aesKey(await window.crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]));
  }
  function aesKey(cryptoKey) {
    function params(iv, aad) { return { name: "AES-GCM", iv: iv, additionalData: aad, tagLength: 128 }; }
    return { algorithm: AES_256_GCM, header: HEADER,
             encrypt: async function (iv, aad, data) { return new Uint8Array(await window.crypto.subtle.encrypt(params(iv, aad), cryptoKey, data)); },
             decrypt: async function (iv, aad, data) { return new Uint8Array(await window.crypto.subtle.decrypt(params(iv, aad), cryptoKey, data)); } };
  }
  /* The segments of envelope.seal_stream: ``read(index)`` resolves to the plaintext of segment ``index`` (of
     ``count`` ≥ 1), each is sealed as soon as it is read, and ``sealed(index, part)`` (may be async) takes the
     ciphertext: index -1 is header ‖ nonce prefix. The next segment is read while this one is sealed, and
     ``during(plain)`` (optional) runs while WebCrypto encrypts off the main thread, so at most about three
     segments are held at a time. */
  async function sealSegments(key, count, aadContext, read, sealed, during) {
    var prefix = window.crypto.getRandomValues(new Uint8Array(8));
    await sealed(-1, concat([key.header, prefix]));
    var next = Promise.resolve(read(0));
    for (var index = 0; index < count; index++) {
      var plain = await next;
      next = index + 1 < count ? Promise.resolve(read(index + 1)) : null;
      if (next) next.catch(function () {});  // awaited on the next turn; not "unhandled" if this turn fails first
      var encrypting = key.encrypt(concat([prefix, u32(index)]), aadOf(aadContext, index, index === count - 1), plain);
      if (during) during(plain);
      await sealed(index, await encrypting);
    }
  }
  /* envelope.seal_bytes; ``key`` from contentKey (an AES-GCM CryptoKey is still accepted). */
  async function sealBytes(key, data, aadContext) {
    if (!key.header) key = aesKey(key);
    var parts = [];
    await sealSegments(key, Math.max(1, Math.ceil(data.length / SEGMENT)), aadContext,
                       function (index) { return data.subarray(index * SEGMENT, (index + 1) * SEGMENT); },
                       function (index, part) { parts.push(part); });
    return concat(parts);
  }
  /* The same bytes as sealBytes over a File (or Blob), read one segment at a time with file.slice: the plaintext
     SHA-256 is computed on the way (Sha256), the ciphertext goes into Blob parts (folded into one Blob every
     FOLD bytes, so the page lets go of them), and ``onProgress(doneBytes, totalBytes)`` is called after each
     segment (and once at 0). So only a few segments are in the page's memory at a time; the browser keeps the Blob
     (on disk when large).
     Resolves to {blob, sha256 (hex), size}. */
  async function sealFile(key, file, aadContext, onProgress) {
    if (!key.header) key = aesKey(key);
    var size = file.size, hash = new Sha256(), parts = [], blob = new Blob([]), held = 0;
    var count = Math.max(1, Math.ceil(size / SEGMENT));
    if (onProgress) onProgress(0, size);
    await sealSegments(key, count, aadContext, async function (index) {
      var start = index * SEGMENT, end = Math.min(size, start + SEGMENT), plain;
      try {
        plain = new Uint8Array(await file.slice(start, end).arrayBuffer());
      } catch (e) {
        throw new Error("无法读取文件“" + (file.name || "") + "”：文件可能已被修改、移动或删除，请重新选择后再递交。");
      }
      if (plain.length !== end - start) throw new Error("文件“" + (file.name || "") + "”在加密过程中发生了变化，请重新选择后再递交。");
      return plain;
    }, function (index, part) {
      parts.push(part);
      held += part.length;
      if (held >= FOLD) {  // hand the sealed parts to the browser's blob store, so the page does not keep them
        blob = new Blob([blob].concat(parts));
        parts = []; held = 0;
      }
      // the reads and WebCrypto (or SM4's pause) return to the event loop between segments: the page repaints
      if (index >= 0 && onProgress) onProgress(Math.min(size, (index + 1) * SEGMENT), size);
    }, function (plain) { hash.update(plain); });
    return { blob: new Blob([blob].concat(parts), { type: "application/octet-stream" }), sha256: hex(hash.digest()),
             size: size };
  }
  /* envelope.open_bytes: the last segment (whatever follows the full ones) carries the final flag. */
  async function openBytes(key, sealed, aadContext) {
    if (!key.header) key = aesKey(key);
    var start = key.header.length + 8, size = SEGMENT + TAG, parts = [], index = 0;
    if (sealed.length < start) throw new Error("密封文件不完整");
    if (!equalBytes(sealed.subarray(0, key.header.length), key.header)) throw new Error("不是有效的密封文件");
    var prefix = sealed.subarray(key.header.length, start), at = start;
    for (;;) {
      var final = sealed.length - at <= size;
      var segment = sealed.subarray(at, final ? sealed.length : at + size);
      try {
        parts.push(await key.decrypt(concat([prefix, u32(index)]), aadOf(aadContext, index, final), segment));
      } catch (e) { throw new Error("密文校验失败（文件被篡改、截断或密钥错误）"); }
      if (final) return concat(parts);
      at += size; index++;
    }
  }

  // --- DER (just enough for certificates and private keys; readTlv and children from sm2.js) ------------------
  function subjectPublicKeyInfo(certificateDer) {
    var tbs = children(certificateDer, readTlv(certificateDer, 0))[0];
    var fields = children(certificateDer, tbs);
    if (fields[0].tag === 0xa0) fields = fields.slice(1);
    var spki = fields[5];  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    return certificateDer.slice(spki.offset, spki.end);
  }
  function spkiPoint(spki) {  // SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits ‖ 04‖x‖y) }
    var bits = children(spki, readTlv(spki, 0))[1];
    if (!bits || bits.tag !== 0x03 || spki[bits.start] !== 0) throw new Error("加密证书中的SM2公钥格式不正确。");
    return spki.slice(bits.start + 1, bits.end);
  }
  /* SEC 1 ECPrivateKey { version 1, privateKey OCTET STRING, [0] curve OID, [1] public key } → d (32 bytes). */
  function ecPrivateScalar(der) {
    var fields = children(der, readTlv(der, 0));
    if (fields.length < 2 || fields[0].tag !== 0x02 || der[fields[0].start] !== 1 || fields[1].tag !== 0x04) {
      throw new Error("私钥文件已损坏：不是有效的EC私钥结构。");
    }
    for (var i = 2; i < fields.length; i++) {
      if (fields[i].tag === 0xa0 && !contains(der.subarray(fields[i].start, fields[i].end), SM2_OID)) {
        throw new Error("该EC私钥不在SM2曲线上：网页只能使用SM2或RSA加密证书的私钥。");
      }
    }
    var d = der.subarray(fields[1].start, fields[1].end);
    if (d.length > 32) throw new Error("私钥文件已损坏：SM2私钥长度错误。");
    var scalar = new Uint8Array(32);
    scalar.set(d, 32 - d.length);
    var value = toBigInt(scalar);
    if (!(value > 0n && value < N - 1n)) throw new Error("私钥文件已损坏：SM2私钥数值超出范围。");
    return scalar;
  }
  /* The private key file → {kind: "sm2", scalar} or {kind: "rsa", der} (PKCS#8 for WebCrypto). */
  function privateKeyRead(text) {
    if (text.indexOf("ENCRYPTED PRIVATE KEY") >= 0) throw new Error("私钥文件已加密，网页无法使用；请使用 ggzy-bid 客户端。");
    var ec = pemBody(text, "EC PRIVATE KEY"), der = ec || pemBody(text, "PRIVATE KEY");
    if (!der) {
      throw new Error("私钥文件应为PEM格式：SM2私钥以 -----BEGIN EC PRIVATE KEY----- 或 -----BEGIN PRIVATE KEY----- 开头，" +
                      "RSA私钥以 -----BEGIN PRIVATE KEY-----（PKCS#8）开头。");
    }
    try {
      if (ec) return { kind: "sm2", scalar: ecPrivateScalar(ec) };
      var fields = children(der, readTlv(der, 0));  // PrivateKeyInfo { version, AlgorithmIdentifier, OCTET STRING }
      var algorithm = der.subarray(fields[1].offset, fields[1].end);
      if (contains(algorithm, SM2_OID)) return { kind: "sm2", scalar: ecPrivateScalar(der.slice(fields[2].start, fields[2].end)) };
      if (contains(algorithm, RSA_OID)) return { kind: "rsa", der: der };
    } catch (e) {
      if (/^(私钥|该EC)/.test(e.message)) throw e;
      throw new Error("私钥文件已损坏，无法读取（DER结构错误）。");
    }
    throw new Error("该私钥既不是SM2也不是RSA私钥：网页只能使用SM2或RSA加密证书的私钥。");
  }

  // --- signing the bid: a detached CMS SignedData (RFC 5652), as bidclient.sign_content / sm2_signed_data -------
  /* What ggzy-bid submit --sign-cert does, in the page: bidformat.bid_manifest_bytes is signed with the signing
     certificate's key and the SignedData sealed with the content key (purpose "signature"), so the platform
     learns who signed only at the opening (services/signatures.bid_signature_settle verifies it there).
     ECDSA and RSA sign through WebCrypto (SHA-256); SM2-with-SM3 (GB/T 32918.2, user ID "1234567812345678",
     GM/T 0009 §10) is computed here on BigInt, in the GM/T 0010 profile (its signedData and data OIDs).
     signedAttrs carry contentType, signingTime and messageDigest; the signature is over their DER SET OF. */
  var OID = {
    data: "1.2.840.113549.1.7.1", signedData: "1.2.840.113549.1.7.2", contentType: "1.2.840.113549.1.9.3",
    messageDigest: "1.2.840.113549.1.9.4", signingTime: "1.2.840.113549.1.9.5",
    sm2Data: "1.2.156.10197.6.1.4.2.1", sm2SignedData: "1.2.156.10197.6.1.4.2.2",
    sha256: "2.16.840.1.101.3.4.2.1", sm3: "1.2.156.10197.1.401", sm2WithSm3: "1.2.156.10197.1.501",
    ecdsaWithSha256: "1.2.840.10045.4.3.2", sha256WithRsa: "1.2.840.113549.1.1.11",
    ecPublicKey: "1.2.840.10045.2.1", p256: "1.2.840.10045.3.1.7", p384: "1.3.132.0.34"
  };
  var SIGN_CERT = "签名证书", SIGN_KEY = "签名证书私钥";

  function derLength(n) {
    if (n < 128) return new Uint8Array([n]);
    var out = [];
    while (n > 0) { out.unshift(n & 255); n = Math.floor(n / 256); }
    return new Uint8Array([0x80 | out.length].concat(out));
  }
  function derTlv(tag, content) { return concat([new Uint8Array([tag]), derLength(content.length), content]); }
  function derSequence() { return derTlv(0x30, concat(Array.prototype.slice.call(arguments))); }
  function compareBytes(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) { if (a[i] !== b[i]) return a[i] - b[i]; }
    return a.length - b.length;
  }
  function derSetOf(items) { return derTlv(0x31, concat(items.slice().sort(compareBytes))); }  // DER: sorted
  function derOid(dotted) {
    var arcs = dotted.split(".").map(Number), out = [40 * arcs[0] + arcs[1]];
    for (var i = 2; i < arcs.length; i++) {
      var arc = arcs[i], base128 = [arc & 127];
      while ((arc = Math.floor(arc / 128)) > 0) base128.unshift(128 | (arc & 127));
      out = out.concat(base128);
    }
    return derTlv(0x06, new Uint8Array(out));
  }
  function derUnsigned(bytes) {  // an unsigned big-endian value as INTEGER: minimal, with a 0 before a high bit
    var at = 0;
    while (at < bytes.length - 1 && bytes[at] === 0) at++;
    var body = bytes.subarray(at);
    return derTlv(0x02, body[0] & 0x80 ? concat([new Uint8Array([0]), body]) : body);
  }
  function derUtcTime(date) {
    var text = [date.getUTCFullYear() % 100, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(),
                date.getUTCMinutes(), date.getUTCSeconds()].map(function (n) { return String(n).padStart(2, "0"); }).join("");
    return derTlv(0x17, new TextEncoder().encode(text + "Z"));
  }
  /* The certificate's TBS fields after the optional [0] version: serial, signature, issuer, validity, subject, spki. */
  function tbsFields(certificateDer) {
    var tbs = children(certificateDer, readTlv(certificateDer, 0))[0];
    var fields = children(certificateDer, tbs);
    return fields[0].tag === 0xa0 ? fields.slice(1) : fields;
  }

  /* bidformat.bid_manifest_bytes: json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) of
     {"files", "lot", "price_sheet_sha256"} — JSON.stringify escapes what ensure_ascii=False escapes. */
  function manifestBytes(lotCode, plaintextHashes, priceSheetSealed) {
    return new TextEncoder().encode('{"files":' + JSON.stringify(plaintextHashes.map(String)) + ',"lot":' +
                                    JSON.stringify(String(lotCode)) + ',"price_sheet_sha256":' +
                                    JSON.stringify(hex(sha256(priceSheetSealed))) + "}");
  }

  function ecdsaSignatureToDer(raw) {  // WebCrypto's r ‖ s (IEEE P1363) → ECDSA-Sig-Value SEQUENCE {r, s}
    var half = raw.length / 2;
    return derSequence(derUnsigned(raw.subarray(0, half)), derUnsigned(raw.subarray(half)));
  }

  function curveOf(bytes) {
    if (contains(bytes, SM2_OID)) return "sm2";
    if (contains(bytes, derOid(OID.p256))) return "P-256";
    if (contains(bytes, derOid(OID.p384))) return "P-384";
    return null;
  }
  /* The signing key file → {kind: "sm2", scalar} | {kind: "ecdsa", curve, der (PKCS#8)} | {kind: "rsa", der}.
     A SEC 1 "EC PRIVATE KEY" on a NIST curve is wrapped into PKCS#8 for WebCrypto. */
  function signingKeyRead(text) {
    if (text.indexOf("ENCRYPTED PRIVATE KEY") >= 0) throw new Error(SIGN_KEY + "文件已加密，网页无法使用；请使用 ggzy-bid 客户端。");
    var ec = pemBody(text, "EC PRIVATE KEY"), der = ec || pemBody(text, "PRIVATE KEY");
    if (!der) throw new Error(SIGN_KEY + "应为PEM格式（以 -----BEGIN PRIVATE KEY----- 或 -----BEGIN EC PRIVATE KEY----- 开头）。");
    var curve;
    try {
      var fields = children(der, readTlv(der, 0));
      if (ec) {
        curve = curveOf(der.subarray(fields[1].end));
        if (curve === "sm2") return { kind: "sm2", scalar: ecPrivateScalar(der) };
        if (curve) {
          var pkcs8 = derSequence(derTlv(0x02, new Uint8Array([0])),
                                  derSequence(derOid(OID.ecPublicKey), derOid(curve === "P-256" ? OID.p256 : OID.p384)),
                                  derTlv(0x04, der));
          return { kind: "ecdsa", curve: curve, der: pkcs8 };
        }
      } else {
        var algorithm = der.subarray(fields[1].offset, fields[1].end);
        curve = curveOf(algorithm);
        if (curve === "sm2") return { kind: "sm2", scalar: ecPrivateScalar(der.slice(fields[2].start, fields[2].end)) };
        if (curve) return { kind: "ecdsa", curve: curve, der: der };
        if (contains(algorithm, RSA_OID)) return { kind: "rsa", der: der };
      }
    } catch (e) {
      if (/^私钥文件已损坏/.test(e.message)) throw new Error(SIGN_KEY + e.message.substring(2));
      throw new Error(SIGN_KEY + "文件已损坏，无法读取（DER结构错误）。");
    }
    throw new Error(SIGN_KEY + "的算法不受支持：网页可用SM2、ECDSA（P-256/P-384）或RSA私钥签名。");
  }
  function certificateKind(spki) {
    var curve = curveOf(spki);
    if (curve === "sm2") return { kind: "sm2" };
    if (curve) return { kind: "ecdsa", curve: curve };
    if (contains(spki, RSA_OID)) return { kind: "rsa" };
    return null;
  }
  var KIND_NAMES = { sm2: "国密SM2", ecdsa: "ECDSA", rsa: "RSA" };

  /* A signer from the signing certificate (PEM text) and its key file (PEM text): {certificatePem, kind,
     sign(content) → SignedData DER}. Checks before anything is sealed that the key belongs to the certificate:
     SM2 by the public point d·G, ECDSA/RSA by signing a probe with the key and verifying it with the
     certificate's public key. Every refusal names the field. */
  async function signerPrepare(certificatePem, keyText) {
    var certificateDer = pemBody(certificatePem, "CERTIFICATE");
    if (!certificateDer) throw new Error(SIGN_CERT + "应为PEM格式（以 -----BEGIN CERTIFICATE----- 开头）。");
    var fields, spki, certificate;
    try {
      fields = tbsFields(certificateDer);
      spki = certificateDer.slice(fields[5].offset, fields[5].end);
    } catch (e) { throw new Error(SIGN_CERT + "文件已损坏，无法读取。"); }
    certificate = certificateKind(spki);
    if (!certificate) throw new Error(SIGN_CERT + "的公钥算法不受支持：网页可用SM2、ECDSA（P-256/P-384）或RSA证书签名。");
    var key = signingKeyRead(keyText);
    var mismatch = SIGN_KEY + "与" + SIGN_CERT + "不匹配";
    if (key.kind !== certificate.kind || key.curve !== certificate.curve) {
      throw new Error(mismatch + "：证书是" + KIND_NAMES[certificate.kind] + (certificate.curve ? "（" + certificate.curve + "）" : "") +
                      "证书，所选的是" + KIND_NAMES[key.kind] + (key.curve ? "（" + key.curve + "）" : "") + "私钥。");
    }
    var issuerAndSerial = derSequence(certificateDer.subarray(fields[2].offset, fields[2].end),
                                      certificateDer.subarray(fields[0].offset, fields[0].end));
    var signRaw, profile;
    if (key.kind === "sm2") {
      var point = spkiPoint(spki);
      sm2Point(point, SIGN_CERT + "中的SM2公钥");
      if (!equalBytes(sm2PublicKey(key.scalar), point)) throw new Error(mismatch + "（私钥对应的公钥不是证书中的公钥）。");
      signRaw = async function (data) {
        return gm.signatureToDer(sm2Sign(key.scalar, data, point));
      };
      profile = signingProfile("sm2");
    } else {
      var params = key.kind === "rsa" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: key.curve };
      var use = key.kind === "rsa" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
      var privateKey, publicKey;
      try {
        privateKey = await window.crypto.subtle.importKey("pkcs8", key.der, params, false, ["sign"]);
      } catch (e) { throw new Error(SIGN_KEY + "无法导入：文件已损坏，或不是" + KIND_NAMES[key.kind] + "私钥。"); }
      try {
        publicKey = await window.crypto.subtle.importKey("spki", spki, params, false, ["verify"]);
      } catch (e) { throw new Error(SIGN_CERT + "中的公钥无法导入。"); }
      signRaw = async function (data) {
        var raw = new Uint8Array(await window.crypto.subtle.sign(use, privateKey, data));
        return key.kind === "rsa" ? raw : ecdsaSignatureToDer(raw);
      };
      var probe = window.crypto.getRandomValues(new Uint8Array(32));
      var probeSignature = await window.crypto.subtle.sign(use, privateKey, probe);
      if (!(await window.crypto.subtle.verify(use, publicKey, probeSignature, probe))) {
        throw new Error(mismatch + "（用该私钥做出的签名无法用证书中的公钥验证）。");
      }
      profile = signingProfile(key.kind);
    }
    return signedDataSigner(certificatePem, certificateDer, issuerAndSerial, key.kind, profile, signRaw);
  }
  function signingProfile(kind) {
    if (kind === "sm2") return { signedData: OID.sm2SignedData, data: OID.sm2Data, digest: OID.sm3, signature: OID.sm2WithSm3, hash: sm3 };
    return { signedData: OID.signedData, data: OID.data, digest: OID.sha256,
             signature: kind === "rsa" ? OID.sha256WithRsa : OID.ecdsaWithSha256, hash: sha256 };
  }
  /* {kind, certificatePem, sign(content) → SignedData DER}: signRaw(bytes) signs the signed attributes (in the page
     with a key file, or in the certificate agent). */
  function signedDataSigner(certificatePem, certificateDer, issuerAndSerial, kind, profile, signRaw) {
    return {
      kind: kind, certificatePem: certificatePem,
      sign: async function (content, signingTime) {
        var attribute = function (oid, value) { return derSequence(derOid(oid), derSetOf([value])); };
        var signedAttributes = derSetOf([attribute(OID.contentType, derOid(profile.data)),
                                         attribute(OID.signingTime, derUtcTime(signingTime || new Date())),
                                         attribute(OID.messageDigest, derTlv(0x04, profile.hash(content)))]);
        var signature = await signRaw(signedAttributes);
        var digestAlgorithm = derSequence(derOid(profile.digest));
        var signerInfo = derSequence(derTlv(0x02, new Uint8Array([1])), issuerAndSerial, digestAlgorithm,
                                     derTlv(0xa0, signedAttributes.subarray(readTlv(signedAttributes, 0).start)),  // [0] IMPLICIT
                                     derSequence(derOid(profile.signature)), derTlv(0x04, signature));
        var signedData = derSequence(derTlv(0x02, new Uint8Array([1])), derSetOf([digestAlgorithm]),
                                     derSequence(derOid(profile.data)), derTlv(0xa0, certificateDer), derSetOf([signerInfo]));
        return derSequence(derOid(profile.signedData), derTlv(0xa0, signedData));
      }
    };
  }
  /* The form's optional signing fields → a signer, or null when both are empty; one without the other is refused. */
  async function signerFromForm() {
    var certInput = document.getElementById("sealed-sign-cert-file"), keyInput = document.getElementById("sealed-sign-key-file");
    var certFile = certInput && certInput.files[0], keyFile = keyInput && keyInput.files[0];
    if (!certFile && !keyFile) return null;
    if (!keyFile) throw new Error("已选择" + SIGN_CERT + "，请同时选择" + SIGN_KEY + "文件；不签名请清空" + SIGN_CERT + "。");
    if (!certFile) throw new Error("已选择" + SIGN_KEY + "，请同时选择" + SIGN_CERT + "文件；不签名请清空" + SIGN_KEY + "。");
    return signerPrepare(await certFile.text(), await keyFile.text());
  }

  /* A signer whose key stays in the certificate agent (pki/agent.js): the SignedData is built here, the signed
     attributes are signed in the agent after the user confirms and types the PIN there. */
  function agentSigner(certificate, summary) {
    var agent = window.ggzyAgent, certificateDer = pemBody(certificate.certificate_pem || "", "CERTIFICATE");
    var fields, spki, kind;
    try {
      fields = tbsFields(certificateDer);
      spki = certificateDer.slice(fields[5].offset, fields[5].end);
    } catch (e) { throw new Error(SIGN_CERT + "无法读取。"); }
    kind = certificateKind(spki);
    if (!kind) throw new Error(SIGN_CERT + "的公钥算法不受支持：可用SM2、ECDSA或RSA证书签名。");
    var issuerAndSerial = derSequence(certificateDer.subarray(fields[2].offset, fields[2].end),
                                      certificateDer.subarray(fields[0].offset, fields[0].end));
    return signedDataSigner(certificate.certificate_pem, certificateDer, issuerAndSerial, kind.kind, signingProfile(kind.kind),
                            async function (data) {
                              agent.progress("state_confirm");
                              var signed = await agent.sign(certificate.id, data, "bid", summary);
                              agent.done("state_signed");
                              return signed.signature;
                            });
  }
  function agentMode(form) { return !!(window.ggzyAgent && form && !window.ggzyAgent.useKeyFile(form)); }

  // --- the page -------------------------------------------------------------------------------------------------
  function csrf() { var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie); return m ? decodeURIComponent(m[1]) : ""; }
  async function api(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (body && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    var response = await fetch(url, { method: method, body: body, headers: headers, credentials: "same-origin" });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) throw failure(data, response.status);
    return data;
  }
  function failure(data, status) {
    var detail = (data && data.detail) || ("HTTP " + status);
    if (data && data.errors) detail += "：" + Object.values(data.errors).flat().join("；");
    return new Error(detail);
  }
  /* POST ``form`` with XMLHttpRequest, for its upload progress: ``onProgress(sentBytes, totalBytes)`` (total 0 when
     the browser cannot tell), then ``onProgress(null)`` once everything is sent and the server is working. */
  function upload(url, form, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.upload.addEventListener("progress", function (event) {
        onProgress(event.loaded, event.lengthComputable ? event.total : 0);
      });
      xhr.upload.addEventListener("load", function () { onProgress(null); });
      xhr.addEventListener("load", function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data); else reject(failure(data, xhr.status));
      });
      xhr.addEventListener("error", function () { reject(new Error("网络错误：投标文件未能上传，请检查网络后重新递交。")); });
      xhr.addEventListener("abort", function () { reject(new Error("上传已中断，投标未递交，请重新递交。")); });
      xhr.send(form);
    });
  }
  function megabytes(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1 << 20) return (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + " KB";
    return (bytes / (1 << 20)).toFixed(bytes < 10 << 20 ? 1 : 0) + " MB";
  }
  function percent(done, total) { return total > 0 ? Math.min(100, Math.floor(done * 100 / total)) : 100; }
  /* The panel's progress block: a <progress> (role progressbar, value = percent; no value = indeterminate) and a
     line of text that names the phase, the file and the bytes. Absent on pages without it (a no-op then). */
  function progressPanel() {
    var box = document.getElementById("sealed-progress");
    var bar = document.getElementById("sealed-progress-bar"), text = document.getElementById("sealed-progress-text");
    function set(message, value) {
      if (!box) return;
      box.hidden = false;
      text.textContent = message;
      if (value === null) { bar.removeAttribute("value"); bar.removeAttribute("aria-valuenow"); } else {
        bar.value = value;
        bar.setAttribute("aria-valuenow", String(value));
      }
      bar.setAttribute("aria-valuetext", message);
    }
    return {
      sealing: function (name, done, total) {
        var value = percent(done, total);
        set("正在加密 " + name + "：已完成 " + value + "%（" + megabytes(done) + " / " + megabytes(total) + "）", value);
      },
      uploading: function (sent, total) {
        if (sent === null) { set("已上传，等待服务器确认…", null); return; }
        if (!total) { set("正在上传…", null); return; }
        var value = percent(sent, total);
        set("正在上传：已完成 " + value + "%（" + megabytes(sent) + " / " + megabytes(total) + "）", value);
      },
      finished: function (count, total) { set("加密并上传完成：" + count + " 个文件，共 " + megabytes(total), 100); },
      hide: function () { if (box) box.hidden = true; }
    };
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

  /* What the certificate decides (bidformat.content_algorithm_for and wrap_to_certificate). */
  async function bidderWrapper(spki) {
    if (contains(spki, SM2_OID)) {
      var point = spkiPoint(spki);
      sm2Point(point, "加密证书中的SM2公钥");
      return { algorithm: SM4_GCM, wrap: async function (raw) { return sm2Encrypt(point, raw, null, "加密证书中的SM2公钥"); } };
    }
    if (contains(spki, RSA_OID)) {
      var rsaKey = await window.crypto.subtle.importKey("spki", spki, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
      return { algorithm: AES_256_GCM,
               wrap: async function (raw) { return new Uint8Array(await window.crypto.subtle.encrypt({ name: "RSA-OAEP" }, rsaKey, raw)); } };
    }
    throw new Error("该证书的公钥不能用于数字信封：网页只支持SM2或RSA加密证书。");
  }

  async function seal(section) {
    var lotId = section.dataset.lotId, base = section.dataset.apiBase;
    var files = Array.prototype.slice.call(document.getElementById("sealed-files").files);
    var certPem, signer = null, agentCertificate = null;
    if (agentMode(document.getElementById("sealed-form"))) {
      // the certificate agent: only the certificates (public keys) reach the page; the platform is asked first
      // whether they are expired, revoked or not the bidder's
      var agent = window.ggzyAgent, signSelect = document.getElementById("sealed-agent-sign");
      agentCertificate = agent.chosen(document.getElementById("sealed-agent-enc"));
      if (!files.length) throw new Error("请至少选择一个投标文件。");
      await agent.check(agentCertificate.certificate_pem, "encrypt");
      certPem = agentCertificate.certificate_pem;
      if (signSelect && signSelect.value) {
        var signing = agent.chosen(signSelect);
        await agent.check(signing.certificate_pem, "sign");
        signer = agentSigner(signing, section.dataset.signSummary || "投标文件签名");
      }
    } else {
      var certFile = document.getElementById("sealed-cert-file").files[0];
      if (!certFile) throw new Error("请选择加密证书文件（PEM）。");
      if (!files.length) throw new Error("请至少选择一个投标文件。");
      certPem = await certFile.text();
    }
    var certDer = pemBody(certPem, "CERTIFICATE");
    if (!certDer) throw new Error("加密证书应为PEM格式（以 -----BEGIN CERTIFICATE----- 开头）。");
    var spki;
    try { spki = subjectPublicKeyInfo(certDer); } catch (e) { throw new Error("加密证书文件已损坏，无法读取其公钥。"); }
    var bidder = await bidderWrapper(spki);
    if (!agentCertificate) signer = await signerFromForm();  // checked before anything is sealed or sent
    var sheet = { total_price: document.getElementById("sealed-total-price").value.trim(),
                  quality: document.getElementById("sealed-quality").value.trim() };
    var days = document.getElementById("sealed-duration").value.trim();
    // The platform reads the sheet only at the opening (core.money rules): catch a typing error before sealing.
    if (!/^([0-9]{1,14}|[0-9]{1,3}(,[0-9]{3}){1,4})(\.[0-9]{1,2})?$/.test(sheet.total_price))
      throw new Error("投标总价须填写普通数字（如 1234.56），最多两位小数，不接受科学计数法。");
    if (!/[1-9]/.test(sheet.total_price)) throw new Error("投标总价必须大于0。");
    if (days && !/^[0-9]{1,5}$/.test(days)) throw new Error("工期（天）必须为1到36500之间的整数。");
    if (days) sheet.duration_days = parseInt(days, 10);
    if (days && (sheet.duration_days < 1 || sheet.duration_days > 36500))
      throw new Error("工期（天）必须为1到36500之间的整数。");
    var sealing = await api("GET", base + "/lots/" + lotId + "/sealing-key");
    if (signer && !sealing.lot_code) throw new Error("服务器未返回标段编号，无法签名；请刷新页面后重试。");
    var raw = window.crypto.getRandomValues(new Uint8Array(ALGORITHMS[bidder.algorithm].keySize));
    var key = await contentKey(bidder.algorithm, raw);
    var encoder = new TextEncoder(), form = new FormData(), names = [], hashes = [], progress = progressPanel();
    for (var i = 0; i < files.length; i++) {
      var name = files[i].name;
      var sealed = await sealFile(key, files[i], context(lotId, "file:" + i),
                                  function (done, total) { progress.sealing(name, done, total); });
      hashes.push(sealed.sha256);
      names.push(b64(await sealBytes(key, encoder.encode(name), context(lotId, "name:" + i))));
      form.append("files", sealed.blob, "sealed-" + i + ".bin");
    }
    var priceSheetSealed = await sealBytes(key, encoder.encode(JSON.stringify(sheet)), context(lotId, "price_sheet"));
    var manifest = {
      algorithm: bidder.algorithm,
      price_sheet_sealed: b64(priceSheetSealed),
      fingerprint_sealed: b64(await sealBytes(key, encoder.encode(JSON.stringify({ file_creator_id: browserId() })),
                                              context(lotId, "fingerprint"))),
      names_sealed: names, plaintext_hashes: hashes,
      wrap_to_bidder: b64(await bidder.wrap(raw)),
      wrap_to_custodians: b64(sm2Encrypt(unb64(sealing.public_key), raw)),
      custodian_key_id: sealing.key_id, bidder_certificate_pem: certPem
    };
    if (signer) {  // sealed like every other part: who signed stays hidden until the opening
      var signature = await signer.sign(manifestBytes(sealing.lot_code, hashes, priceSheetSealed));
      manifest.signature_sealed = b64(await sealBytes(key, signature, context(lotId, "signature")));
    }
    raw.fill(0);
    form.append("manifest", JSON.stringify(manifest));
    progress.uploading(0, 0);
    var state = await upload(base + "/lots/" + lotId + "/sealed-bid", form, progress.uploading);
    progress.finished(files.length, files.reduce(function (sum, file) { return sum + file.size; }, 0));
    if (agentCertificate) {  // to offer the same certificate at the opening
      try { window.localStorage.setItem("ggzy-agent-seal-" + lotId, agentCertificate.id); } catch (e) { /* private mode */ }
    }
    if (signer) state.state_display += "（已签名，签名随投标文件密封，开标时核验）";
    return state;
  }

  async function unwrapContentKey(privateKey, wrapped) {
    var sm2Bid = wrapped.algorithm === SM4_GCM, ciphertext = unb64(wrapped.wrapped_key);
    if (sm2Bid && privateKey.kind !== "sm2") throw new Error(MISMATCH + "递交时使用的是国密SM2加密证书，所选的是RSA私钥。");
    if (!sm2Bid && privateKey.kind === "sm2") throw new Error(MISMATCH + "递交时使用的是RSA加密证书，所选的是SM2私钥。");
    if (sm2Bid) {
      try { return sm2Decrypt(privateKey.scalar, ciphertext); } catch (e) {
        // C3 is SM3(x2 ‖ M ‖ y2): with another key x2, y2 differ and C3 never matches
        if (e.message.indexOf("C3校验不符") >= 0) throw new Error(MISMATCH);
        throw new Error("封装给您的内容密钥无法解开：" + e.message);
      }
    }
    var rsaKey;
    try {
      rsaKey = await window.crypto.subtle.importKey("pkcs8", privateKey.der, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
    } catch (e) { throw new Error("私钥无法导入：文件已损坏，或不是RSA私钥。"); }
    try {
      return new Uint8Array(await window.crypto.subtle.decrypt({ name: "RSA-OAEP" }, rsaKey, ciphertext));
    } catch (e) { throw new Error(MISMATCH); }
  }

  var AGENT_USER_ERRORS = ["unreachable", "not_paired", "declined", "timeout", "token_absent", "wrong_pin", "pin_locked",
                           "busy", "no_such_certificate", "certificate_expired", "key_mismatch"];
  /* At the opening through the certificate agent: the wrapped content key goes to the agent, which unwraps it with
     the encryption certificate's key after the user confirms and types the PIN; only the content key comes back. */
  async function agentDecrypt(section) {
    var lotId = section.dataset.lotId, base = section.dataset.apiBase, agent = window.ggzyAgent;
    var certificate = agent.chosen(document.getElementById("sealed-agent-dec"));
    await agent.check(certificate.certificate_pem, "encrypt");
    var wrapped = await api("GET", base + "/lots/" + lotId + "/sealed-bid/wrapped-key");
    var sm2Bid = wrapped.algorithm === SM4_GCM;
    if (sm2Bid !== (certificate.algorithm === "sm2")) {
      throw new Error(MISMATCH + (sm2Bid ? "递交时使用的是国密SM2加密证书。" : "递交时使用的是RSA加密证书。"));
    }
    agent.progress("state_confirm");
    var contentKey;
    try {
      contentKey = await agent.unwrap(certificate.id, unb64(wrapped.wrapped_key), sm2Bid ? "sm2" : "rsa-oaep-sha256",
                                      section.dataset.unwrapSummary || "开标解密");
    } catch (e) {
      if (e.code && AGENT_USER_ERRORS.indexOf(e.code) >= 0) throw e;
      throw new Error(MISMATCH);
    }
    agent.done("state_unwrapped");
    var expected = (ALGORITHMS[wrapped.algorithm] || {}).keySize;
    if (expected && contentKey.length !== expected) throw new Error(MISMATCH + "（解出的内容密钥长度不对）");
    var result = await api("POST", base + "/lots/" + lotId + "/sealed-bid/decrypt", { content_key: b64(contentKey) });
    contentKey.fill(0);
    return result;
  }

  async function decrypt(section) {
    if (agentMode(document.getElementById("sealed-decrypt-form"))) return agentDecrypt(section);
    var lotId = section.dataset.lotId, base = section.dataset.apiBase;
    var keyFile = document.getElementById("sealed-key-file").files[0];
    if (!keyFile) throw new Error("请选择加密证书的私钥文件。");
    var privateKey = privateKeyRead(await keyFile.text());
    var wrapped = await api("GET", base + "/lots/" + lotId + "/sealed-bid/wrapped-key");
    var contentKey = await unwrapContentKey(privateKey, wrapped);
    if (privateKey.scalar) privateKey.scalar.fill(0);
    var expected = (ALGORITHMS[wrapped.algorithm] || {}).keySize;
    if (expected && contentKey.length !== expected) throw new Error(MISMATCH + "（解出的内容密钥长度不对）");
    var result = await api("POST", base + "/lots/" + lotId + "/sealed-bid/decrypt", { content_key: b64(contentKey) });
    contentKey.fill(0);
    return result;
  }

  /* While a bid is being sealed, uploaded or decrypted, leaving the page would drop it half-way: ask first. */
  function stayWhileBusy(event) {
    event.preventDefault();
    event.returnValue = "投标文件正在加密或上传，离开本页将中断递交。";
    return event.returnValue;
  }

  function bind(section, buttonId, action, messageId, done) {
    var button = document.getElementById(buttonId);
    if (!button) return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      window.addEventListener("beforeunload", stayWhileBusy);
      action(section).then(function (state) {
        show(messageId, done + "：" + state.state_display, false);
        var tag = document.getElementById("sealed-state");
        if (tag) tag.textContent = state.state_display;
      }).catch(function (error) {
        if (window.ggzyAgent) window.ggzyAgent.idle();
        progressPanel().hide();
        show(messageId, error.message || String(error), true);
      }).finally(function () {
        window.removeEventListener("beforeunload", stayWhileBusy);
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
    });
  }

  window.ggzySealedBid = {
    sm3: sm3, sm2Encrypt: sm2Encrypt, sm2Decrypt: sm2Decrypt, sm4EncryptBlock: sm4EncryptBlock,
    sm4GcmEncrypt: sm4GcmEncrypt, sm4GcmDecrypt: sm4GcmDecrypt, contentKey: contentKey, sealBytes: sealBytes,
    sealFile: sealFile, sha256: sha256, Sha256: Sha256, openBytes: openBytes, context: context, privateKeyRead: privateKeyRead,
    signingKeyRead: signingKeyRead, signerPrepare: signerPrepare, manifestBytes: manifestBytes, sm2Sign: sm2Sign,
    sm2Verify: sm2Verify, sm2PublicKey: sm2PublicKey, sm2Z: sm2Z, hex: hex, unhex: unhex, b64: b64, unb64: unb64
  };
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("sealed-bid-panel");
    if (!section) return;
    if (!window.crypto || !window.crypto.subtle || typeof BigInt === "undefined" || !window.ggzySm2) {
      show("sealed-message", "浏览器不支持 WebCrypto 或 BigInt（需通过 HTTPS 访问本平台），请使用投标客户端 ggzy-bid。", true);
      return;
    }
    var decSelect = document.getElementById("sealed-agent-dec");
    if (decSelect) {  // the certificate the bid was sealed to, when it was sealed through the agent in this browser
      try { decSelect.dataset.agentPreferred = window.localStorage.getItem("ggzy-agent-seal-" + section.dataset.lotId) || ""; } catch (e) { /* private mode */ }
    }
    bind(section, "sealed-submit", seal, "sealed-message", "已加密并递交");
    bind(section, "sealed-decrypt", decrypt, "sealed-message", "解密结果");
  });
})();
