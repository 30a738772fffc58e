from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from assessments.views import language
from tillit import accounts, health
from tillit.sso import views as sso

# Every app's admin module, loaded here rather than at start-up (tillit.apps.AdminConfig).
admin.autodiscover()
admin.site.site_header = _("Tillit administration")
admin.site.site_title = "Tillit"
admin.site.index_title = _("Framework, organisation and people")

# A request that cannot be read (too many fields, a malformed body) gets a page in words.
handler400 = "tillit.errors.bad_request"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before Django's own, under its name: also stores a signed-in person's choice (e-mails).
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: the login page with the identity providers, whose form refuses
    # impossible user names (and, with LOCAL_LOGIN=breakglass, all but the break-glass
    # administrators), and the reset form that also reaches people without a password yet.
    path("konto/login/", sso.login, name="login"),
    path("konto/", include("tillit.sso.urls")),
    path("konto/password_reset/", accounts.password_reset, name="password_reset"),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("principles.urls")),
    path("", include("assessments.urls")),
    path("", include("governance.urls")),
    path("", include("batches.urls")),
]
