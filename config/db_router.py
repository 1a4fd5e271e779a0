"""Public reads on a replica: the published record and its reference tables.

With ``DATABASE_REPLICA_URL`` set, the public pages read listings, tallies, superseded
certificates, the record's version, campaigns, provinces and industries from the replica;
every write, and every read inside a transaction (a decision checking what is published),
stays on the primary. A replica lags its primary by its replication delay: a decision is
public once it has replicated (well under a second on a healthy stream).
"""

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PUBLIC_MODELS = frozenset(
    {
        "listing",
        "listingtally",
        "supersededcertificate",
        "publicdataversion",
        "campaign",
        "province",
        "industry",
    }
)


class PublicReadsRouter:
    def db_for_read(self, model, **hints):
        if (
            settings.PUBLIC_READS_ON_REPLICA
            and model._meta.app_label == "pledges"
            and model._meta.model_name in PUBLIC_MODELS
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # One database's rows, whichever connection read them.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A real replica copies the primary's schema; the test stand-in is migrated.
        return True
