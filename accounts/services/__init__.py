"""Writes of accounts, one module per sub-domain (docs/architecture.md, "The accounts package").

Every service is one transaction; codes and notices go out after commit. Import a service from
the module that owns it (`from accounts.services.codes import code_send`): this package
re-exports nothing.
"""
