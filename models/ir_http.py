# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The validation API answers in JSON, errors included.

Odoo refuses a missing or wrong API key (``auth="bearer"``), a body over the
upload limit and any error of a route with an HTML page or a redirection to
the login page. Under ``/module_validator/api/`` every error becomes
``{"error": {"code", "message"}}`` with its HTTP status instead.
"""

import json
import logging

import werkzeug.exceptions

from odoo import models
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.http import Response, SessionExpiredException, request

API_PREFIX = "/module_validator/api/"
MIB = 1024 * 1024

_logger = logging.getLogger(__name__)


def json_response(payload, status=200):
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


def error_response(status, code, message):
    response = json_response({"error": {"code": code, "message": message}}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _is_api_request():
    return bool(request) and request.httprequest.path.startswith(API_PREFIX)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if _is_api_request() and request.env.uid:
            # An upload larger than the setting is refused while it is read,
            # before it reaches the disk; the margin covers multipart headers.
            limits = request.env["module.validator.run"].sudo()._api_limits()
            request.httprequest.max_content_length = limits.max_compressed + MIB
        return result

    @classmethod
    def _handle_error(cls, exception):
        if not _is_api_request():
            return super()._handle_error(exception)
        return cls._api_error_response(exception)

    @staticmethod
    def _api_error_response(exception):
        if isinstance(exception, (SessionExpiredException, AccessDenied, werkzeug.exceptions.Unauthorized)):
            return error_response(401, "unauthorized",
                                  "Send a valid Odoo API key: Authorization: Bearer <key>.")
        if isinstance(exception, AccessError):
            return error_response(403, "forbidden", str(exception))
        if isinstance(exception, (MissingError, werkzeug.exceptions.NotFound)):
            return error_response(404, "not_found", "No such resource.")
        if isinstance(exception, werkzeug.exceptions.RequestEntityTooLarge):
            return error_response(413, "archive_too_large", "The request body is over the upload limit.")
        if isinstance(exception, UserError):
            return error_response(422, "invalid", str(exception))
        if isinstance(exception, werkzeug.exceptions.HTTPException) and exception.code and exception.code < 500:
            return error_response(exception.code, exception.name.lower().replace(" ", "_"),
                                  exception.description or exception.name)
        _logger.exception("validation API: internal error on %s", request.httprequest.path)
        return error_response(500, "internal_error", "Internal error; the server log says more.")
