"""Sign-in routes for the identity providers (under /konto/)."""

from django.urls import path

from tillit.sso import views

urlpatterns = [
    path("oidc/start/", views.OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("saml/login/", views.SAMLLoginView.as_view(), name="saml2_login"),
    path("saml/acs/", views.SAMLAssertionConsumerView.as_view(), name="saml2_acs"),
    path("saml/metadata/", views.SAMLMetadataView.as_view(), name="saml2_metadata"),
]
