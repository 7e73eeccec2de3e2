"""Account pages: log in and out, sign up, verify an email address, reset a forgotten password,
lift a login lockout with an emailed link, and the settings page (profile visibility,
password, API tokens).

Every POST here has passed the CSRF check in `SessionMiddleware` before it arrives. Logging
in starts a new session (a new id) and deletes the visitor's previous one. Signing up logs no
one in: its answer must not differ for an address that already has an account
(services.accounts).
Form errors re-render the form with the message and the error's status.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from dailypapers import deps
from dailypapers.domain.community import User
from dailypapers.errors import BadRequest, DailyPapersError, RateLimited, Unauthorized
from dailypapers.web.pages import login_url, respond, safe_next
from dailypapers.web.sessions import (
    clear_session_cookie,
    current_session,
    current_user,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)

_NO_STORE = {"Cache-Control": "no-store"}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise Unauthorized("log in first")
    return user


def _form(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    error: DailyPapersError | None = None,
) -> Response:
    """A form page: its forms work for logged-out visitors, so its CSRF token is prepared
    (an anonymous session started) before it renders."""
    status = error.status if error else 200
    model = {"error": error.message if error else None, **context}
    return respond(request, f"community/{template}", model, status=status, forms=True)


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


# --- logging in and out ------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str = "/", reset: int = 0):
    if current_user(request) is not None:
        return _redirect(safe_next(next))
    notice = "Your password is changed. Log in with the new one." if reset else None
    context = {"next": safe_next(next), "login": "", "notice": notice, "locked": False}
    return _form(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    auth: deps.Auth,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    try:
        raw, session = auth.login(
            login, password, client=client_address(request), replaces=current_session(request)
        )
    except DailyPapersError as exc:
        locked = isinstance(exc, RateLimited)  # offer the emailed unlock link
        context = {"next": safe_next(next), "login": login[:254], "notice": None, "locked": locked}
        return _form(request, "login.html", context, error=exc)
    response = _redirect(safe_next(next))
    set_session_cookie(request, response, raw, session)
    return response


@router.post("/logout")
def logout(request: Request, auth: deps.Auth):
    auth.end_session(current_session(request))
    response = _redirect("/")
    clear_session_cookie(request, response)
    return response


# --- signing up and verifying --------------------------------------------------------------
@router.get("/signup")
def signup_form(request: Request, settings: deps.CommunitySettings, next: str = "/"):
    context = {
        "next": safe_next(next),
        "username": "",
        "email": "",
        "open": settings.signups_open,
        "password_min_chars": settings.password_min_chars,
        "sent": False,
    }
    return _form(request, "signup.html", context)


@router.post("/signup")
def signup(
    request: Request,
    accounts: deps.Accounts,
    settings: deps.CommunitySettings,
    after: BackgroundTasks,
    username: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """The same "check your mail" page whether or not the address has an account: the
    account (or the owner's "someone tried" mail) is made after the response. No one is
    logged in here; the new user logs in with the password just chosen."""
    context = {
        "next": safe_next(next),
        "username": username[:32],
        "email": email[:254],
        "open": settings.signups_open,
        "password_min_chars": settings.password_min_chars,
        "sent": False,
    }
    try:
        pending = accounts.accept_sign_up(username, email, password, client=client_address(request))
    except DailyPapersError as exc:
        return _form(request, "signup.html", context, error=exc)
    after.add_task(accounts.finish_sign_up, pending)
    return _form(request, "signup.html", {**context, "username": "", "sent": True})


@router.get("/verify-email/{token}")
def verify_email_form(request: Request, token: str):
    """A button, not an action: mail scanners that open links must not verify anything."""
    return _form(request, "verify.html", {"token": token, "done": False})


@router.post("/verify-email/{token}")
def verify_email(request: Request, accounts: deps.Accounts, token: str):
    try:
        user = accounts.verify_email(token)
    except DailyPapersError as exc:
        return _form(request, "verify.html", {"token": token, "done": False}, error=exc)
    return _form(request, "verify.html", {"token": None, "done": True, "email": user.email})


# --- forgotten passwords -------------------------------------------------------------------
@router.get("/forgot-password")
def forgot_form(request: Request):
    return _form(request, "forgot.html", {"sent": False, "email": ""})


@router.post("/forgot-password")
def forgot(
    request: Request,
    accounts: deps.Accounts,
    after: BackgroundTasks,
    email: Annotated[str, Form()] = "",
):
    """The answer (and its timing) is the same whether or not the address has an account:
    the lookup and the mail run after the response is sent."""
    try:
        address = accounts.accept_reset_request(email, client=client_address(request))
        after.add_task(accounts.send_password_reset, address)
    except DailyPapersError as exc:
        return _form(request, "forgot.html", {"sent": False, "email": email[:254]}, error=exc)
    return _form(request, "forgot.html", {"sent": True, "email": email[:254]})


@router.get("/reset-password/{token}")
def reset_form(
    request: Request, accounts: deps.Accounts, settings: deps.CommunitySettings, token: str
):
    context = {
        "token": token,
        "usable": accounts.reset_token_usable(token),
        "password_min_chars": settings.password_min_chars,
    }
    status_error = None
    if not context["usable"]:
        status_error = BadRequest("this reset link is not valid: it was used, or it expired")
    return _form(request, "reset.html", context, error=status_error)


@router.post("/reset-password/{token}")
def reset(
    request: Request,
    accounts: deps.Accounts,
    settings: deps.CommunitySettings,
    token: str,
    password: Annotated[str, Form()] = "",
):
    try:
        accounts.reset_password(token, password)
    except DailyPapersError as exc:
        context = {
            "token": token,
            "usable": accounts.reset_token_usable(token),
            "password_min_chars": settings.password_min_chars,
        }
        return _form(request, "reset.html", context, error=exc)
    return _redirect("/login?reset=1")


# --- lifting a login lockout ------------------------------------------------------------
def _unlock(request: Request, stage: str, *, login: str = "", token: str | None = None, **kw):
    context = {"stage": stage, "login": login[:254], "token": token}
    return _form(request, "unlock.html", context, **kw)


@router.get("/unlock-login")
def unlock_form(request: Request, login: str = ""):
    return _unlock(request, "ask", login=login)


@router.post("/unlock-login")
def unlock_ask(
    request: Request,
    accounts: deps.Accounts,
    after: BackgroundTasks,
    login: Annotated[str, Form()] = "",
):
    """The same answer whether or not the account exists or is locked: the lookup and the
    mail run after the response."""
    try:
        name = accounts.accept_unlock_request(login, client=client_address(request))
    except DailyPapersError as exc:
        return _unlock(request, "ask", login=login, error=exc)
    after.add_task(accounts.send_unlock_link, name)
    return _unlock(request, "sent", login=login)


@router.get("/unlock-login/{token}")
def unlock_link(request: Request, token: str):
    """A button, not an action: mail scanners that open links must not use it up."""
    return _unlock(request, "confirm", token=token)


@router.post("/unlock-login/{token}")
def unlock(request: Request, accounts: deps.Accounts, token: str):
    try:
        user = accounts.unlock_login(token)
    except DailyPapersError as exc:
        return _unlock(request, "confirm", token=token, error=exc)
    return _unlock(request, "done", login=user.username)


# --- settings ------------------------------------------------------------------------------
def _settings_context(request: Request, user: User, **extra: Any) -> dict[str, Any]:
    tokens = deps.auth(request).api_tokens(user)
    return {
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "upvotes_public": user.upvotes_public,
        "is_admin": user.is_admin,
        "tokens": [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in tokens
        ],
        "new_token": None,
        "message": None,
        "error": None,
        "password_min_chars": deps.community_settings(request).password_min_chars,
        **extra,
    }


_MESSAGES = {
    "welcome": "Welcome! We sent you an email: open its link to confirm your address.",
    "sent": "We sent you a new confirmation link.",
    "password": "Your password is changed; your other sessions were logged out.",
    "profile": "Saved.",
    "revoked": "The token is deleted; requests with it now fail.",
}


@router.get("/settings")
def settings_page(request: Request, welcome: int = 0, done: str = ""):
    user = current_user(request)
    if user is None:
        return _redirect(login_url(request))
    message = _MESSAGES["welcome"] if welcome else _MESSAGES.get(done)
    context = _settings_context(request, user, message=message)
    return respond(request, "community/settings.html", context, headers=_NO_STORE)


@router.post("/settings/profile")
def settings_profile(
    request: Request, accounts: deps.Accounts, upvotes_public: Annotated[str, Form()] = ""
):
    user = require_user(request)
    accounts.set_upvotes_public(user, upvotes_public == "on")
    return _redirect("/settings?done=profile")


@router.post("/settings/password")
def settings_password(
    request: Request,
    accounts: deps.Accounts,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
):
    user = require_user(request)
    session = current_session(request)
    try:
        accounts.change_password(
            user, current_password, new_password, keep_session=session.id_hash if session else None
        )
    except DailyPapersError as exc:
        context = _settings_context(request, user, error=exc.message)
        return respond(request, "community/settings.html", context, status=exc.status)
    return _redirect("/settings?done=password")


@router.post("/settings/verify")
def settings_resend_verification(request: Request, accounts: deps.Accounts):
    user = require_user(request)
    accounts.resend_verification(user, client=client_address(request))
    return _redirect("/settings?done=sent")


@router.post("/settings/tokens")
def settings_new_token(request: Request, auth: deps.Auth, name: Annotated[str, Form()] = ""):
    """The new token is shown in this response only (never in a URL, never again)."""
    user = require_user(request)
    try:
        raw, token = auth.create_api_token(user, name)
    except DailyPapersError as exc:
        context = _settings_context(request, user, error=exc.message)
        return respond(request, "community/settings.html", context, status=exc.status)
    context = _settings_context(request, user, new_token={"name": token.name, "secret": raw})
    return respond(request, "community/settings.html", context, headers=_NO_STORE)


@router.post("/settings/tokens/{token_id}/delete")
def settings_delete_token(request: Request, auth: deps.Auth, token_id: int):
    user = require_user(request)
    auth.revoke_api_token(user, token_id)
    return _redirect("/settings?done=revoked")
