"""A cluster's served HTTP API as a WSGI application: Consul's endpoints, the control API and
the dashboard (``fakeconsul.wsgi_app``). Serving is done to a cluster from above: the model
knows nothing of HTTP.
"""

from __future__ import annotations

from ..http.app import ConsulApp, app_for
from ..model.cluster import Cluster
from . import control_api, dashboard

# The fake's own areas (not Consul's): ``fakeconsul serve --no-control-api`` drops them.
CONTROL_AREAS = (control_api, dashboard)


def wsgi_app(cluster: Cluster) -> ConsulApp:
    """The cluster's HTTP API for werkzeug's test Client (or any WSGI server). One per cluster:
    every call returns the same app, with the cluster's injected answers and errors."""
    return app_for(cluster, control_api.SERVED_ENDPOINTS)
