#!/bin/sh
# Browser tests drive Debian's Chromium with a CJK font. Install them when missing and we can (root + apt);
# otherwise the browser tests skip with a message (CI sets GGZY_REQUIRE_BROWSER=1 and never skips them).
have_font() { fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk|droid.*fallback'; }
if [ -x /usr/bin/chromium ] && have_font; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装浏览器测试依赖 / installing chromium + fonts-wqy-microhei ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 || \
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1; } || \
    echo "无法安装 chromium / fonts-wqy-microhei：浏览器测试将跳过"
else
  echo "未找到 /usr/bin/chromium 或中文字体：浏览器测试将跳过（sudo apt-get install chromium fonts-wqy-microhei）"
fi
exit 0
