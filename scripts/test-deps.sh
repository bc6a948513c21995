#!/bin/sh
# The certificate agent's PKCS#11 tests use SoftHSM2 (Debian package softhsm2) and OpenSSL's command line (SM2 key
# files). Install them when missing and we can (root + apt); otherwise those tests skip with a message (CI sets
# GGZY_REQUIRE_BROWSER=1, and then they fail instead of skipping).
have_softhsm() { command -v softhsm2-util >/dev/null 2>&1 && ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so >/dev/null 2>&1; }
if have_softhsm && command -v openssl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装证书助手测试依赖 / installing softhsm2 + openssl ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q softhsm2 openssl >/dev/null 2>&1 || \
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q softhsm2 openssl >/dev/null 2>&1; } || \
    echo "无法安装 softhsm2：PKCS#11 测试将跳过"
else
  echo "未找到 SoftHSM2：PKCS#11 测试将跳过（sudo apt-get install softhsm2）"
fi
exit 0
