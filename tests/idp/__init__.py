"""Identity providers that run locally in a second process, for the sign-in tests.

`oidc_server` is django-oidc-provider with its own tiny settings and SQLite database;
`saml_idp` is a small WSGI identity provider on pysaml2's `saml2.server.Server`. Keys and
certificates are generated at test time into a temporary directory (`keys.py`).
"""
