"""No page shows a role a link that would answer 403: every link on the main pages is followed for each demo role.

Links are checked against the views' own ``requires(...)`` rules by asking for them as that role; an anonymous
visitor sent to the login page (302) is fine, a 403 is not. POST forms are not links and are not followed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

MAIN_PAGES = ["/", "/notices/", "/tendering/lots/", "/catalog/", "/registry/entities/", "/catalog/calendar/",
              "/tendering/", "/accounts/me/"]
ROLES = [None, "toubiao", "zhaobiao", "daili", "jinan_staff", "jianguan", "zhuanjia", "admin"]
SKIP = re.compile(r"^/(static|media|api|admin)/|^/i18n/|/logout/|\.(pdf|zip|json|cer|pem|der|crt)$|/download")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
            self.links.append(href)


def _links(base: str, html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    found = set()
    for href in parser.links:
        url = urlsplit(urljoin("http://testserver" + base, href))
        if url.netloc != "testserver" or SKIP.search(url.path):
            continue
        found.add(url.path + (f"?{url.query}" if url.query else ""))
    return found


@pytest.mark.django_db
def test_no_link_on_the_main_pages_answers_403_for_any_demo_role():
    from ggzy.accounts.models import User
    from ggzy.tendering.models import Lot

    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    lot_pages = [f"/tendering/lots/{pk}/" for pk in Lot.objects.order_by("pk").values_list("pk", flat=True)]
    forbidden = []
    for username in ROLES:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))  # staff skip the TOTP step this way
        pages = MAIN_PAGES + lot_pages
        checked: set[str] = set()
        for page in pages:
            response = client.get(page)
            if response.status_code != 200:
                continue  # a page this role may not see is not shown to it (checked by the links that lead there)
            for link in sorted(_links(page, response.content.decode()) - checked):
                checked.add(link)
                status = client.get(link).status_code
                if status == 403:
                    forbidden.append((username or "anonymous", page, link))
    assert not forbidden, "links that answer 403:\n" + "\n".join(map(str, forbidden))
