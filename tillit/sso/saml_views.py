"""The SAML 2 ends: login (AuthnRequest), assertion consumer and metadata."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from djangosaml2 import views as saml_views

from tillit.sso import conf
from tillit.sso.views import failed, only_when


@method_decorator(only_when(conf.saml_enabled), name="dispatch")
class SAMLLoginView(saml_views.LoginView):
    """Redirects to the IdP with an AuthnRequest (HTTP-Redirect binding, so no form posts)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.SAML_IDP_ENTITY_ID:
            # Always our IdP, whatever the link says (federation metadata lists many).
            request.GET = request.GET.copy()
            request.GET["idp"] = settings.SAML_IDP_ENTITY_ID
        return super().get(request, *args, **kwargs)


@method_decorator(only_when(conf.saml_enabled), name="dispatch")
class SAMLAssertionConsumerView(saml_views.AssertionConsumerServiceView):
    """The IdP posts its signed response here (cross-site, so no CSRF token: it is signed)."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        return failed(request)


@method_decorator(only_when(conf.saml_enabled), name="dispatch")
class SAMLMetadataView(saml_views.MetadataView):
    """Our SP metadata, for the IdP or the federation operator."""
