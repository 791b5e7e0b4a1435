"""The API's fixtures (an app over a temporary data directory, its client and token) for discovery."""

from tests.server.api.conftest import app, auth, client  # noqa: F401
