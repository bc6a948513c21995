"""The platform runs on a closed government network: no page loads a script, style or font from the internet."""

import re

import pytest

EXTERNAL = re.compile(r'(?:src|href)=["\'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)[^"\']+\.(?:js|css|woff2?|ttf)')


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/notices/", "/api/docs", "/registry/apply/", "/catalog/", "/tendering/lots/",
                                 "/ledger/", "/accounts/login/", "/accounts/login/certificate/"])
def test_no_external_assets(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not EXTERNAL.findall(response.content.decode()), f"{url} loads assets from the internet"
