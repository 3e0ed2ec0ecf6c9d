"""The governance registers, included from config/urls.py at "governance/records/"."""

from django.urls import path

from governance import records_views as views

app_name = "governance_records"
urlpatterns = [
    path("", views.records_index, name="index"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/add/", views.complaint_add, name="complaint_add"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/acknowledge/", views.complaint_acknowledge, name="complaint_acknowledge"),
    path("complaints/<int:pk>/investigate/", views.complaint_investigate, name="complaint_investigate"),
    path("complaints/<int:pk>/resolve/", views.complaint_resolve, name="complaint_resolve"),
    path("complaints/<int:pk>/escalate/", views.complaint_escalate, name="complaint_escalate"),
    path("complaints/<int:pk>/vawg-acknowledge/", views.complaint_vawg_acknowledge, name="complaint_vawg_acknowledge"),
    path("complaints/<int:pk>/vawg-outcome/", views.complaint_vawg_outcome, name="complaint_vawg_outcome"),
    path("breaches/", views.breach_list, name="breaches"),
    path("breaches/add/", views.breach_add, name="breach_add"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach"),
    path("disclosures/", views.disclosure_list, name="disclosures"),
    path("disclosures/add/<slug:kind>/", views.disclosure_add, name="disclosure_add"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path("disclosures/<int:pk>/decide/", views.disclosure_decide, name="disclosure_decide"),
    path("disclosures/<int:pk>/release/", views.disclosure_release, name="disclosure_release"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/add/", views.agreement_add, name="agreement_add"),
    path("inductions/", views.induction_list, name="inductions"),
    path("inductions/add/", views.induction_add, name="induction_add"),
    path("inductions/<int:pk>/", views.induction_detail, name="induction"),
    path("reviews/", views.review_list, name="reviews"),
    path("observers/", views.observer_list, name="observers"),
]
