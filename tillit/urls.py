from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tillit import accounts, health

admin.site.site_header = _("Tillit administration")
admin.site.site_title = "Tillit"
admin.site.index_title = _("Framework, organisation and people")

# A request that cannot be read (too many fields, a malformed body) gets a page in words.
handler400 = "tillit.errors.bad_request"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: the login form that refuses impossible user names, and the reset
    # form that also reaches people without a password yet.
    path("konto/login/", accounts.login, name="login"),
    path("konto/password_reset/", accounts.password_reset, name="password_reset"),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("principles.urls")),
    path("", include("assessments.urls")),
    path("", include("batches.urls")),
]
