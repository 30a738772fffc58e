"""Signing in with the municipality's identity provider (OpenID Connect or SAML 2).

How someone signed in changes nothing about what they may see: a person found or created
here gets exactly the roles the role import or an administrator gave them, and a new person
gets none. `LOCAL_LOGIN` decides who may still use a local password.
"""
