from django.urls import path

from accounts import user_admin_views, views

app_name = "accounts"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("session/", views.session, name="session"),
    path("users/", views.user_list, name="users"),
    path("users/new/", user_admin_views.user_add, name="user_add"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/deactivate/", user_admin_views.deactivate, name="deactivate"),
    path("users/<int:pk>/reactivate/", user_admin_views.reactivate, name="reactivate"),
    path("users/<int:pk>/reset-sign-in-app/", user_admin_views.reset_sign_in_app, name="reset_sign_in_app"),
    path("users/<int:pk>/roles/<int:grant_pk>/remove/", views.role_revoke, name="role_revoke"),
    path("users/<int:pk>/roles/waiting/<int:pending_pk>/approve/", views.role_approve, name="role_approve"),
    path("users/<int:pk>/roles/waiting/<int:pending_pk>/refuse/", views.role_refuse, name="role_refuse"),
]
