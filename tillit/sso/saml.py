"""The pysaml2 configuration of Tillit as a SAML service provider, built from the settings.

djangosaml2 asks for it on every SAML request (SAML_CONFIG_LOADER). Building it reads the
IdP metadata, which for a federation is large, so each distinct configuration is built once
per process; a new metadata file therefore takes effect at the next restart.
"""

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig


def config_loader(request: HttpRequest) -> SPConfig:
    """The SP configuration; the assertion consumer URL is on the host the request came to."""
    acs_url = request.build_absolute_uri(reverse("saml2_acs"))
    entity_id = settings.SAML_SP_ENTITY_ID or request.build_absolute_uri(reverse("saml2_metadata"))
    return _build(
        entity_id=entity_id,
        acs_url=acs_url,
        metadata_file=settings.SAML_IDP_METADATA_FILE,
        metadata_url=settings.SAML_IDP_METADATA_URL,
        metadata_cert=settings.SAML_IDP_METADATA_CERT,
        key_file=settings.SAML_KEY_FILE,
        cert_file=settings.SAML_CERT_FILE,
        xmlsec_binary=settings.SAML_XMLSEC_BINARY,
    )


@functools.lru_cache(maxsize=8)
def _build(
    *,
    entity_id: str,
    acs_url: str,
    metadata_file: str,
    metadata_url: str,
    metadata_cert: str,
    key_file: str,
    cert_file: str,
    xmlsec_binary: str,
) -> SPConfig:
    metadata: dict = {}
    if metadata_file:
        metadata["local"] = [metadata_file]
    if metadata_url:
        # Federation metadata is only trusted with the federation's signing certificate.
        remote = {"url": metadata_url}
        if metadata_cert:
            remote["cert"] = metadata_cert
        metadata["remote"] = [remote]
    config = {
        "entityid": entity_id,
        "xmlsec_binary": xmlsec_binary,
        # Attributes pysaml2 has no friendly name for keep their own names.
        "allow_unknown_attributes": True,
        "metadata": metadata,
        "service": {
            "sp": {
                "name": "Tillit",
                "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                # Only answers to requests we sent (their ids are kept in the SAML session).
                "allow_unsolicited": False,
                # The IdP must sign the response or the assertion (federations sign both).
                "want_assertions_or_response_signed": True,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "authn_requests_signed": bool(key_file and cert_file),
            }
        },
    }
    if key_file and cert_file:
        # The same pair signs our requests and decrypts assertions encrypted for us.
        config["key_file"] = key_file
        config["cert_file"] = cert_file
        config["encryption_keypairs"] = [{"key_file": key_file, "cert_file": cert_file}]
    sp_config = SPConfig()
    sp_config.load(config)
    return sp_config
