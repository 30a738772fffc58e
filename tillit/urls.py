from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tillit import accounts

admin.site.site_header = _("Tillit administration")
admin.site.site_title = "Tillit"
admin.site.index_title = _("Framework, organisation and people")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: the reset form that also reaches people without a password yet.
    path("konto/password_reset/", accounts.password_reset, name="password_reset"),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("principles.urls")),
    path("", include("assessments.urls")),
    path("", include("batches.urls")),
]
