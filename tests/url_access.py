"""What the URL walks share: every pattern of the project, and who may use each /review/ URL."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# /review/ URL name: (method, who besides administrators may use it). "post" URLs change
# something and answer nothing else; "get" URLs are pages (some also take a form's POST).
REVIEW_URLS = {
    "queue": ("get", "reviewer"),
    "bulk_approve": ("post", "reviewer"),
    "pledge": ("get", "reviewer"),
    "stamped_page": ("get", "reviewer"),
    "licence_scan": ("get", "reviewer"),
    "claim": ("post", "reviewer"),
    "release": ("post", "reviewer"),
    "add_note": ("post", "reviewer"),
    "certificate": ("get", "reviewer"),
    "certificate_rerender": ("post", "administrator"),
    "decide": ("get", "reviewer"),
    "changes": ("get", "reviewer"),
    "change": ("get", "reviewer"),
    "change_approve": ("post", "reviewer"),
    "change_reject": ("post", "reviewer"),
    "banned_terms": ("get", "administrator"),
    "banned_term_remove": ("post", "administrator"),
    "messages": ("get", "administrator"),
    "messages_retry": ("post", "administrator"),
    "message_retry": ("post", "administrator"),
    "exports": ("get", "reviewer"),
    "export_pledges": ("get", "reviewer"),
    "export_decisions": ("get", "reviewer"),
    "campaigns": ("get", "administrator"),
    "campaign_create": ("get", "administrator"),
    "campaign_edit": ("get", "administrator"),
    "campaign_open": ("post", "administrator"),
    "campaign_close": ("post", "administrator"),
    "campaign_checklist": ("get", "administrator"),
    "dashboard": ("get", "administrator"),
    "dashboard_csv": ("get", "administrator"),
    "imports": ("get", "administrator"),
    "import_report": ("get", "administrator"),
    "staff": ("get", "administrator"),
    "staff_add": ("post", "administrator"),
    "staff_remove": ("post", "administrator"),
    "objections": ("get", "reviewer"),
    "objection": ("get", "reviewer"),
    "objection_answer": ("post", "reviewer"),
    "objection_evidence": ("get", "reviewer"),
    "abuse": ("get", "administrator"),
    "unblock": ("post", "administrator"),
}


@dataclass(frozen=True)
class Pattern:
    """One URL pattern as the root resolver sees it."""

    key: str  # "namespace:name", or the full route when the pattern has no name
    route: str  # as ResolverMatch.route spells it, e.g. "portal/pledges/<int:pledge_id>/"
    namespace: str
    name: str | None
    callback: object

    @property
    def module(self) -> str:
        return getattr(self.callback, "__module__", "")


def url_patterns() -> list[Pattern]:
    """Every pattern reachable from the root URLconf, however deeply included."""

    def walk(entries, route, namespaces):
        for entry in entries:
            piece = str(entry.pattern)
            # The way the resolver joins routes: a regex's "^" is dropped after the first.
            full = route + (piece[1:] if route and piece.startswith("^") else piece)
            if isinstance(entry, URLResolver):
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                yield from walk(entry.url_patterns, full, inner)
            elif isinstance(entry, URLPattern):
                namespace = ":".join(namespaces)
                qualified = f"{namespace}:{entry.name}" if namespace else entry.name
                key = qualified if entry.name else full
                yield Pattern(key, full, namespace, entry.name, entry.callback)

    return list(walk(get_resolver().url_patterns, "", ()))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
