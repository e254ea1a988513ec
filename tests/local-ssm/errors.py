"""The error the local SSM (and its CloudWatch Logs) answers: an AWS error code, message
and HTTP status."""


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
