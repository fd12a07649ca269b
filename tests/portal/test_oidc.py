"""A generic OpenID Connect provider (VNeID in production) is switched on by settings.

A fake provider serves its discovery document over real HTTP; the log-in button sends the
browser to the authorization endpoint it names.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_oidc_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/.well-known/openid-configuration":
                body = json.dumps(
                    {
                        "issuer": base,
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/token",
                        "userinfo_endpoint": f"{base}/userinfo",
                        "jwks_uri": f"{base}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_it_is_off_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/oidc/" not in page


def test_it_sends_the_citizen_to_the_providers_authorization_endpoint(
    client, settings, fake_oidc_server
):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "vneid",
                    "name": "VNeID",
                    "client_id": "portal-client",
                    "secret": "portal-secret",
                    "settings": {"server_url": fake_oidc_server},
                }
            ]
        }
    }
    page = client.get("/accounts/login/").content.decode()
    assert "VNeID" in page and "/accounts/oidc/vneid/login/" in page
    response = client.post("/accounts/oidc/vneid/login/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{fake_oidc_server}/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["portal-client"]
    assert query["response_type"] == ["code"]
    assert "openid" in query["scope"][0]
    assert query["redirect_uri"][0].endswith("/accounts/oidc/vneid/login/callback/")
