"""Every /review/ URL: the queue, one pledge and its decisions, and the administrators' pages."""

from django.urls import path

from .views import (
    campaigns,
    changes,
    dashboard,
    decisions,
    detail,
    exports,
    imports,
    messages,
    objections,
    queue,
    screening,
    staff,
)

app_name = "review"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("bulk-approve/", decisions.bulk_approve, name="bulk_approve"),
    path("pledges/<int:pledge_id>/", detail.pledge_detail, name="pledge"),
    path("pledges/<int:pledge_id>/stamped-page/", detail.stamped_page, name="stamped_page"),
    path("pledges/<int:pledge_id>/licence/", detail.licence_scan, name="licence_scan"),
    path("pledges/<int:pledge_id>/claim/", detail.claim, name="claim"),
    path("pledges/<int:pledge_id>/release/", detail.release, name="release"),
    path("pledges/<int:pledge_id>/notes/", detail.add_note, name="add_note"),
    path("pledges/<int:pledge_id>/certificate.pdf", detail.certificate, name="certificate"),
    path(
        "pledges/<int:pledge_id>/certificate/rerender/",
        detail.certificate_rerender_view,
        name="certificate_rerender",
    ),
    path("pledges/<int:pledge_id>/<str:decision>/", decisions.decide, name="decide"),
    path("changes/", changes.change_list, name="changes"),
    path("changes/<int:change_id>/", changes.change_detail, name="change"),
    path("changes/<int:change_id>/approve/", changes.change_approve, name="change_approve"),
    path("changes/<int:change_id>/reject/", changes.change_reject, name="change_reject"),
    path("objections/", objections.objection_list, name="objections"),
    path("objections/<int:objection_id>/", objections.objection_detail, name="objection"),
    path(
        "objections/<int:objection_id>/answer/",
        objections.objection_answer_view,
        name="objection_answer",
    ),
    path(
        "objections/evidence/<int:evidence_id>/",
        objections.objection_evidence,
        name="objection_evidence",
    ),
    path("banned-terms/", screening.banned_terms, name="banned_terms"),
    path("abuse/", screening.abuse, name="abuse"),
    path("abuse/<int:blocked_id>/remove/", screening.unblock, name="unblock"),
    path(
        "banned-terms/<int:term_id>/remove/",
        screening.banned_term_delete,
        name="banned_term_remove",
    ),
    path("messages/", messages.message_list, name="messages"),
    path("messages/retry/", messages.message_retry, name="messages_retry"),
    path("messages/<int:message_id>/retry/", messages.message_retry, name="message_retry"),
    path("exports/", exports.export_list, name="exports"),
    path("exports/pledges.csv", exports.export_pledges, name="export_pledges"),
    path("exports/decisions.csv", exports.export_decisions, name="export_decisions"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:year>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:year>/open/", campaigns.campaign_open, name="campaign_open"),
    path(
        "campaigns/<int:year>/checklist/", campaigns.campaign_checklist, name="campaign_checklist"
    ),
    path("campaigns/<int:year>/close/", campaigns.campaign_close, name="campaign_close"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:import_id>/report.csv", imports.import_report, name="import_report"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/add/", staff.staff_add, name="staff_add"),
    path("staff/<int:user_id>/remove/<str:role>/", staff.staff_remove, name="staff_remove"),
]
