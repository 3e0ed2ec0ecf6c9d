from django.urls import URLPattern, path

from meetings import live_views, minutes_views

app_name = "meetings_live"
urlpatterns: list[URLPattern] = [
    path("<int:pk>/register/", live_views.register, name="register"),
    path("<int:pk>/register/observers/", live_views.register_observer, name="register_observer"),
    path(
        "<int:pk>/register/observers/<int:attendance_pk>/remove/",
        live_views.register_observer_remove,
        name="observer_remove",
    ),
    path("<int:pk>/register/<int:attendance_pk>/signed/", live_views.register_observer_signed, name="observer_signed"),
    path("<int:pk>/register/<int:attendance_pk>/present/", live_views.register_mark, name="register_mark"),
    path("<int:pk>/sign/", live_views.sign, name="sign"),
    path("<int:pk>/live/", live_views.live_meeting, name="live"),
    path("<int:pk>/live/start/", live_views.live_start, name="start"),
    path("<int:pk>/live/close/", live_views.live_close, name="close"),
    path("<int:pk>/live/<int:listing_pk>/", live_views.live_listing, name="listing"),
    path("<int:pk>/live/<int:listing_pk>/open/", live_views.live_open, name="open"),
    path("<int:pk>/live/<int:listing_pk>/minutes/", live_views.live_minutes, name="minutes"),
    path("<int:pk>/live/<int:listing_pk>/actions/", live_views.live_action, name="action"),
    path("<int:pk>/live/<int:listing_pk>/links/", live_views.live_link, name="link"),
    path("<int:pk>/live/<int:listing_pk>/outcome/", live_views.live_outcome, name="outcome"),
    path("<int:pk>/live/<int:listing_pk>/next/", live_views.live_next, name="next"),
    path("<int:pk>/live/<int:listing_pk>/minutes/amend/", minutes_views.amend_minute, name="amend_minute"),
]
