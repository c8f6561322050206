from django.urls import path, re_path

from server.api import api
from server.core import views

urlpatterns = [
    path("api/v1/", api.urls),
    path("login", views.login, name="login"),
    re_path(r"^static/(?P<path>.+)$", views.static),
    # Everything that is not the API is the app (client-side routes included).
    re_path(r"^(?!api/)(?P<path>.*)$", views.frontend),
]

handler400 = "server.core.views.bad_request"
handler403 = "server.core.views.permission_denied"
handler404 = "server.core.views.not_found"
handler500 = "server.core.views.server_error"
