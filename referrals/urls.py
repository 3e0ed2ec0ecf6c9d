from django.urls import path

from referrals import decision_views, followup_views, views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("start/", views.referral_start, name="start"),
    path("inbox/", decision_views.inbox, name="inbox"),
    path("idva/", followup_views.idva_allocations, name="idva_allocations"),
    path("idva/<int:case_pk>/allocate/", followup_views.idva_allocate, name="idva_allocate"),
    path("idva/<int:case_pk>/contact/", followup_views.idva_contact, name="idva_contact"),
    path("idva/<int:case_pk>/declined/", followup_views.idva_declined, name="idva_declined"),
    path("children-notifications/", followup_views.children_notifications, name="children_notifications"),
    path("children-notifications/<int:case_pk>/confirm/", followup_views.children_confirm, name="children_confirm"),
    path("<int:pk>/decision/", decision_views.decision, name="decision"),
    path("<int:pk>/decision/match/", decision_views.match, name="match"),
    path("<int:pk>/decision/accept/", decision_views.accept, name="accept"),
    path("<int:pk>/decision/return/", decision_views.return_referral, name="return"),
    path("<int:pk>/decision/transfer/", decision_views.transfer, name="transfer"),
    path("<int:pk>/decision/emergency/", decision_views.emergency, name="emergency"),
    path("<int:pk>/decision/referral.docx", decision_views.referral_docx, name="docx"),
    path("<int:pk>/", views.referral_overview, name="overview"),
    path("<int:pk>/submit/", views.referral_submit, name="submit"),
    path("<int:pk>/delete/", views.referral_discard, name="discard"),
    path("<int:pk>/<slug:slug>/", views.referral_section, name="section"),
    path("<int:pk>/<slug:slug>/new/", views.referral_item, name="item_add"),
    path("<int:pk>/<slug:slug>/<int:index>/", views.referral_item, name="item"),
    path("<int:pk>/<slug:slug>/<int:index>/remove/", views.referral_item_remove, name="item_remove"),
]
