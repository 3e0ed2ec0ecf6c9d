"""The referral JSON API, under /api/v1/. Paths have no trailing slash: a client's POST is never redirected."""

from django.urls import path

from referrals import api

app_name = "referrals_api"
urlpatterns = [
    path("referrals", api.referral_collection, name="collection"),
    path("referrals/<int:pk>", api.referral_detail, name="detail"),
    # A plain <slug> (not <slug:slug>): unknown sections get the API's own 404, naming the sections.
    path("referrals/<int:pk>/sections/<slug>", api.referral_section, name="section"),
    path("referrals/<int:pk>/submit", api.referral_submit, name="submit"),
]
